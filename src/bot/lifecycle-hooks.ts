import type { Logger } from '../log/logger.js'
import { settleWithin } from '../pacing/settle-within.js'
import type { Env } from './core-options.js'

/** The hooks features register on a bot's lifecycle, and how each kind is run. */
export class LifecycleHooks {
  readonly start: Array<(env: Env) => unknown> = []
  readonly stopping: Array<() => unknown> = []
  readonly shutdown: Array<() => unknown> = []

  /** Runs the start hooks in order; a sync one that throws throws here, and the async ones are waited for together. */
  runStart(env: Env): Promise<unknown> {
    const pending: Promise<unknown>[] = []
    for (const hook of this.start) {
      const result = hook(env)
      if (result instanceof Promise) pending.push(result)
    }
    return Promise.all(pending)
  }

  /** Runs the stopping hooks for at most `ms`; resolves with whether one of them said others take over. */
  async runStopping(ms: number, log: Logger): Promise<boolean> {
    return (await runHooks(this.stopping, ms, log, 'stopping')).includes(true)
  }

  /** Runs the shutdown hooks for at most `ms`. */
  async runShutdown(ms: number, log: Logger): Promise<void> {
    await runHooks(this.shutdown, ms, log, 'shutdown')
  }
}

/**
 * Runs hooks together and waits for them for at most `ms`; a hook that throws or rejects is logged,
 * never thrown on. Resolves with what the hooks that finished in time returned.
 */
async function runHooks(hooks: ReadonlyArray<() => unknown>, ms: number, log: Logger, what: string): Promise<unknown[]> {
  const results: unknown[] = []
  const running = hooks.map((hook) =>
    Promise.resolve()
      .then(hook)
      .then((result) => {
        results.push(result)
      })
      .catch((e: unknown) => log.error({ err: e }, `${what} hook failed`)),
  )
  await settleWithin(running, ms)
  return results
}
