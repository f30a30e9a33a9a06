import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { settleWithin } from '../../pacing/settle-within.js'

/**
 * How a Procfile line is run in the sandbox.
 *
 * @example
 * ```ts
 * const options: BotProcessOptions = { command: 'node bot.ts -D', cwd: 'mybot', env: process.env, line: console.log }
 * ```
 */
export interface BotProcessOptions {
  /** A shell command line, run by `/bin/sh -c` as a Procfile runner does. */
  readonly command: string
  readonly cwd: string
  readonly env: NodeJS.ProcessEnv
  /** Each line the process writes, as it comes, without its newline. */
  readonly line: (text: string, stream: 'stdout' | 'stderr') => void
}

/**
 * A running Procfile line: the shell and whatever it started.
 *
 * @example
 * ```ts
 * const { code } = await bot.ended
 * ```
 */
export interface BotProcess {
  /**
   * Resolves once the process is over and its output is all in (every process that holds its
   * output has ended), with the shell's exit code or the signal that ended it.
   */
  readonly ended: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  /**
   * One SIGTERM to each of its processes, as a platform stopping a dyno sends it, then the wait for
   * them to end: SIGKILL after `grace` ms. Resolves once it is over. Safe to call more than once.
   */
  stop(grace: number): Promise<void>
}

const KILL_WAIT_MS = 5_000

/**
 * Starts a Procfile line in its own process group, so that a signal for the group reaches the bot
 * whether or not the shell `exec`s it, and a Ctrl-C meant for `natter dev` does not: the bot gets
 * its SIGTERM from `stop()` alone.
 *
 * @example
 * ```ts
 * const bot = startBotProcess({ command: 'node bot.ts -D', cwd: 'mybot', env, line: (text) => console.log(`bot | ${text}`) })
 * await bot.stop(30_000)
 * ```
 */
export function startBotProcess({ command, cwd, env, line }: BotProcessOptions): BotProcess {
  const child = spawn('/bin/sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  createInterface({ input: child.stdout }).on('line', (text) => line(text, 'stdout'))
  createInterface({ input: child.stderr }).on('line', (text) => line(text, 'stderr'))
  let over = false
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // `close` comes once the pipes are closed by everyone who held them: the shell and all it started.
    child.once('close', (code, signal) => {
      over = true
      resolve({ code, signal })
    })
    child.once('error', () => {
      over = true
      resolve({ code: null, signal: null })
    })
  })
  const signal = (name: NodeJS.Signals): void => {
    if (over || child.pid === undefined) return
    try {
      process.kill(-child.pid, name)
    } catch {
      // the group is gone already
    }
  }
  let stopping: Promise<void> | undefined
  return {
    ended,
    stop(grace) {
      stopping ??= (async () => {
        signal('SIGTERM')
        if (await settleWithin([ended], grace)) return
        signal('SIGKILL')
        await settleWithin([ended], KILL_WAIT_MS)
      })()
      return stopping
    },
  }
}
