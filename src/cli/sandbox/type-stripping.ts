import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { ExitCode } from '../../index.js'
import { Failure } from '../failure.js'

/** A command line that has Node run a TypeScript file: `node bot.ts`, `exec node --flag src/bot.mts -D`. */
const NODE_RUNS_TS = /^\s*(?:exec\s+)?node\b.*?(\S+\.[cm]?ts)(?:\s|$)/
const FLAG = '--experimental-strip-types'

/**
 * Why the Node that would run `command` cannot run its `.ts` file, as one line, or undefined when it
 * can (or the command is not Node running a `.ts` file). Node strips types by default from 22.18
 * (and 23.6), and from 22.6 with `--experimental-strip-types`, in the command or `NODE_OPTIONS`.
 *
 * @example
 * ```ts
 * typeStrippingProblem('node bot.ts', 'v20.20.2', undefined) // 'bot.ts is TypeScript, which Node v20.20.2 cannot run: ...'
 * ```
 */
export function typeStrippingProblem(command: string, nodeVersion: string, nodeOptions: string | undefined): string | undefined {
  const file = NODE_RUNS_TS.exec(command)?.[1]
  const [major = 0, minor = 0] = /^v?(\d+)\.(\d+)/.exec(nodeVersion)?.slice(1).map(Number) ?? []
  if (file === undefined || major === 0) return undefined
  const byDefault = major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18)
  const flagged = (major > 22 || (major === 22 && minor >= 6)) && `${command} ${nodeOptions ?? ''}`.includes(FLAG)
  if (byDefault || flagged) return undefined
  return `${file} is TypeScript, which Node ${nodeVersion} cannot run: it needs Node 22.18 or newer (or 22.6 with ${FLAG}); install a newer Node, or compile with tsc and run the .js`
}

/**
 * Checks, before the bot starts, that the Node the Procfile line finds (on the project's PATH) can
 * run its `.ts` file; a {@link Failure} (exit 69) saying which Node is needed when it cannot, rather
 * than Node's own ERR_UNKNOWN_FILE_EXTENSION. A Node that cannot be asked its version is left to fail
 * as it will.
 *
 * @example
 * ```ts
 * await checkTypeStripping('node bot.ts', 'mybot', process.env)
 * ```
 */
export async function checkTypeStripping(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!NODE_RUNS_TS.test(command)) return
  const version = await promisify(execFile)('/bin/sh', ['-c', 'node --version'], { cwd, env }).then(
    ({ stdout }) => stdout.trim(),
    () => undefined,
  )
  const problem = version === undefined ? undefined : typeStrippingProblem(command, version, env.NODE_OPTIONS)
  if (problem !== undefined) throw new Failure(problem, ExitCode.Unavailable)
}
