import { createRequire } from 'node:module'
import { isAbsolute, relative } from 'node:path'
import { ConfigError, ExitCode, FatalError } from '../errors.js'
import type { Logger, LogLevel } from '../log/logger.js'
import { DEFAULT_SHUTDOWN_TIMEOUT } from '../settings/core-settings.js'
import type { SettingsTable } from '../settings/settings-table.js'
import { VERSION } from '../version.js'
import { usage } from './bot-help.js'
import { type Flags, parseFlags } from './flags.js'

// Required rather than imported, as pino in log/logger.ts: dotenv is CommonJS.
const { config: loadDotenv } = createRequire(import.meta.url)('dotenv') as typeof import('dotenv')

/** What the process runner needs of a bot. */
export interface RunnableBot {
  readonly log: Logger
  readonly settings: { readonly shutdownTimeout: number } | undefined
  /** What `--help` lists under Environment. */
  readonly settingsTable: SettingsTable
  start(overrides?: { logLevel?: LogLevel }): Promise<void>
  stop(deadline?: number): Promise<void>
  on(event: 'error', listener: (error: Error) => unknown): unknown
}

/** How long after the shutdown deadline the process exits anyway, if closing hangs (Heroku kills 30 s after SIGTERM). */
const CLOSE_GRACE_MS = 5_000

/**
 * A second SIGTERM or SIGINT this soon after the first is the same request arriving twice (a
 * terminal's process group and a parent passing it on both), not someone insisting.
 */
const SAME_REQUEST_MS = 1_000

/**
 * The script as the user would type it to run it from the current directory: relative when it is
 * below, else its full path.
 *
 * @example
 * ```ts
 * scriptName('/home/me/bots/weather/bot.mjs', '/home/me/bots/weather') // 'bot.mjs'
 * ```
 */
export function scriptName(script: string | undefined, cwd: string = process.cwd()): string {
  if (script === undefined) return 'bot.js'
  const below = relative(cwd, script)
  return below === '' || below.startsWith('..') || isAbsolute(below) ? script : below
}

/**
 * Runs a bot as a worker process: flags, `.env`, signals and exit codes. This is what `bot.run()` does.
 *
 * @example
 * ```ts
 * await runProcess(bot, process.argv.slice(2))
 * ```
 */
export async function runProcess(bot: RunnableBot, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const script = scriptName(process.argv[1])
  let flags: Flags
  try {
    flags = parseFlags(argv)
  } catch (error) {
    process.stderr.write(`natter: ${(error as Error).message}; see --help\n`)
    process.exit(ExitCode.Usage)
  }
  if (flags.help) {
    process.stdout.write(`${usage(script, bot.settingsTable.rows)}\n`)
    process.exit(ExitCode.Ok)
  }
  if (flags.version) {
    process.stdout.write(`natter ${VERSION}\n`)
    process.exit(ExitCode.Ok)
  }

  loadDotenv({ quiet: true, override: false })

  let stopping = false
  let firstSignal = 0
  const exit = (code: number): never => process.exit(code)
  const shutdown = (signal: string): void => {
    if (stopping) {
      if (performance.now() - firstSignal < SAME_REQUEST_MS) {
        bot.log.info({ signal }, 'already shutting down')
        return
      }
      bot.log.warn({ signal }, 'second signal: exiting now')
      exit(ExitCode.Software)
    }
    stopping = true
    firstSignal = performance.now()
    bot.log.info({ signal }, 'shutting down')
    const deadline = (bot.settings?.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT) * 1000
    setTimeout(() => {
      bot.log.error('shutdown still not done after its deadline: exiting now')
      exit(ExitCode.Software)
    }, deadline + CLOSE_GRACE_MS).unref()
    bot.stop(deadline).then(
      () => exit(ExitCode.Ok),
      (error: unknown) => {
        bot.log.error({ err: error }, 'shutdown failed')
        exit(ExitCode.Software)
      },
    )
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('uncaughtException', (error) => {
    bot.log.fatal({ err: error }, 'uncaught exception')
    exit(ExitCode.Software)
  })
  process.on('unhandledRejection', (reason) => bot.log.error({ err: reason }, 'unhandled promise rejection'))

  bot.on('error', (error) => {
    if (stopping) return
    bot.log.fatal(error.message)
    exit(exitCodeFor(error))
  })

  try {
    // -D is at least debug: LOG_LEVEL=trace with it also shows stream management's acks.
    const traced = process.env.LOG_LEVEL?.trim().toLowerCase() === 'trace'
    await bot.start(flags.debug && !traced ? { logLevel: 'debug' } : {})
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`natter: ${error.message}\n`)
      exit(ExitCode.Config)
    }
    if (stopping) return
    bot.log.fatal(error instanceof Error ? error.message : String(error))
    exit(exitCodeFor(error))
  }
}

function exitCodeFor(error: unknown): number {
  return error instanceof FatalError ? error.exitCode : ExitCode.Software
}
