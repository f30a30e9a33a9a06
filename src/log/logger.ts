import { createRequire } from 'node:module'
import type { Logger as PinoLogger } from 'pino'
import { formatLogLine } from './log-format.js'

// Required rather than imported: pino is CommonJS, and importing it from ESM runs Node's export lexer over its
// sources, which costs start time and leaves megabytes of memory behind for the life of the process (BENCHMARKS.md).
const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino')

/**
 * Log levels, as pino names them.
 *
 * @example
 * ```ts
 * const bot = createBot({ logLevel: 'debug' })
 * ```
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/** Every log level, most severe first. */
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/**
 * natter's logger: pino, writing one JSON object per line to stdout, as worker platforms expect.
 *
 * @example
 * ```ts
 * bot.log.info({ room }, 'joined')
 * ```
 */
export type Logger = PinoLogger

/**
 * Creates the logger. Any `password` field is censored wherever it appears, as a second line of
 * defence: natter itself never logs the password. On a terminal (`pretty`), lines are formatted for
 * people instead of log routers.
 *
 * @example
 * ```ts
 * const log = createLogger('debug')
 * ```
 */
export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream, pretty = false): Logger {
  const stdout = pino.destination({ dest: 1, sync: true })
  return pino(
    {
      level,
      base: { name: 'natter' },
      redact: { paths: ['password', '*.password', '*.*.password'], censor: '[hidden]' },
    },
    destination ?? (pretty ? { write: (line: string) => stdout.write(formatLogLine(line, true)) } : stdout),
  )
}
