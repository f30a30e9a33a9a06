import type { Logger } from '../log/logger.js'
import { settleWithin } from '../pacing/settle-within.js'

/**
 * Runs hooks together and waits for them for at most `ms`; a hook that throws or rejects is logged,
 * never thrown on. Resolves with what the hooks that finished in time returned.
 */
export async function runHooks(hooks: ReadonlyArray<() => unknown>, ms: number, log: Logger, what: string): Promise<unknown[]> {
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
