import { ConfigError, ExitCode, FatalError, StanzaError, UndeliveredError, UsageError } from '../index.js'

/**
 * EX_CANTCREAT (sysexits.h): `natter new` cannot write the project where it was asked to.
 *
 * @example
 * ```ts
 * throw new Failure('mybot is not empty', CANT_CREATE)
 * ```
 */
export const CANT_CREATE = 73

/**
 * EX_NOINPUT (sysexits.h): `natter dev` finds no Procfile with a `bot:` line to run.
 *
 * @example
 * ```ts
 * throw new Failure('no Procfile in mybot', NO_INPUT)
 * ```
 */
export const NO_INPUT = 66

/**
 * A command that ran but could not do what it was asked: one line for the user and the exit code
 * that says why.
 *
 * @example
 * ```ts
 * throw new Failure('alice@example.org: not delivered (service-unavailable)', ExitCode.Unavailable)
 * ```
 */
export class Failure extends Error {
  override readonly name = 'Failure'
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message)
  }
}

/**
 * The exit code for whatever ended a command: natter's codes for settings, login, certificate and
 * an unreachable server, 69 for an answer that never came or a stanza the server bounced, 70 for the rest.
 *
 * @example
 * ```ts
 * exitCodeFor(new ConfigError('JID', 'missing')) // 78
 * ```
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof Failure) return error.code
  if (error instanceof UsageError) return ExitCode.Usage
  if (error instanceof ConfigError) return ExitCode.Config
  if (error instanceof StanzaError || error instanceof UndeliveredError) return ExitCode.Unavailable
  return error instanceof FatalError ? error.exitCode : ExitCode.Software
}

/**
 * The answer to a request a command cannot do without. An error reply or no reply in time becomes
 * a {@link Failure} (exit 69) that names the request.
 *
 * @example
 * ```ts
 * const rtt = await answered('ping example.org', bot.ping('example.org'))
 * ```
 */
export async function answered<T>(what: string, request: Promise<T>): Promise<T> {
  try {
    return await request
  } catch (error) {
    if (error instanceof StanzaError) throw new Failure(`${what}: ${error.message}`, ExitCode.Unavailable)
    throw error
  }
}
