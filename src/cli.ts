import { parseArgs } from 'node:util'
import { config as loadDotenv } from 'dotenv'
import { ConfigError, ExitCode, FatalError, UsageError } from './errors.js'
import type { Logger, LogLevel } from './log.js'
import { VERSION } from './version.js'

/** The flags a bot script accepts. */
export interface Flags {
  debug: boolean
  help: boolean
  version: boolean
}

/**
 * Parses a bot script's flags: `-D`/`--debug`, `-h`/`--help`, `-v`/`--version`.
 *
 * @example
 * ```ts
 * parseFlags(['-D']) // { debug: true, help: false, version: false }
 * ```
 */
export function parseFlags(argv: readonly string[]): Flags {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        debug: { type: 'boolean', short: 'D', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
      strict: true,
      allowPositionals: false,
    })
    return { debug: values.debug, help: values.help, version: values.version }
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0] : String(error))
  }
}

/** The text `--help` prints. */
export function usage(script: string): string {
  return [
    `Usage: node ${script} [options]`,
    '',
    'An XMPP bot built with natter. It is configured by environment variables,',
    'read from .env too when that file exists (variables already set win).',
    '',
    'Options:',
    '  -D, --debug    log at debug level, every stanza in and out (passwords hidden)',
    '  -h, --help     show this help',
    '  -v, --version  show the natter version',
    '',
    'Environment:',
    '  JID                 the bot\'s address: user@domain or user@domain/resource (required)',
    '  JPASSWORD           its password (required)',
    '  XMPP_SERVICE        xmpp://host:port or xmpps://host:port (default: found from the JID\'s domain)',
    '  XMPP_RESOURCE       resource to bind (default: $DYNO when set, else chosen by the server)',
    '  LOG_LEVEL           fatal, error, warn, info, debug, trace or silent (default: info)',
    '  XMPP_ROOMS          rooms to join: room@service or room@service/nick, comma-separated',
    '  XMPP_PING_INTERVAL  seconds of silence on the link before the bot pings its server (default: 60)',
    '  XMPP_PING_TIMEOUT   seconds without an answer before the link counts as dead (default: 10)',
    '  SHUTDOWN_TIMEOUT    seconds SIGTERM waits for running handlers (default: 20)',
    '  XMPP_SENDER_RATE    stanzas a second each sender may keep sending (default: 2)',
    '  XMPP_SENDER_BURST   stanzas each sender may send at once, on top of that (default: 20)',
    '  XMPP_LIMITS         off: no per-sender limits at all (default: on)',
    '  XMPP_TRUSTED_ROOM_SERVICES',
    '                      room services believed about real JIDs, comma-separated',
    '                      (default: the bot\'s server, its subdomains and services, and XMPP_ROOMS\'s)',
    '',
    `Exit codes: ${ExitCode.Ok} stopped by a signal, ${ExitCode.Usage} bad option, ${ExitCode.Config} bad configuration,`,
    `${ExitCode.Auth} login refused, ${ExitCode.Tls} server certificate not trusted, ${ExitCode.Conflict} resource taken over,`,
    `${ExitCode.Unavailable} server unreachable`,
    `for longer than the reconnect policy allows, ${ExitCode.Software} internal error or forced exit.`,
  ].join('\n')
}

/** What the process runner needs of a bot. */
export interface RunnableBot {
  readonly log: Logger
  readonly settings: { readonly shutdownTimeout: number } | undefined
  start(overrides?: { logLevel?: LogLevel }): Promise<void>
  stop(deadline?: number): Promise<void>
  on(event: 'error', listener: (error: Error) => unknown): unknown
}

/** How long after the shutdown deadline the process exits anyway, if closing hangs (Heroku kills 30 s after SIGTERM). */
const CLOSE_GRACE_MS = 5_000

/**
 * Runs a bot as a worker process: flags, `.env`, signals and exit codes. This is what `bot.run()` does.
 *
 * @example
 * ```ts
 * await runProcess(bot, process.argv.slice(2))
 * ```
 */
export async function runProcess(bot: RunnableBot, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const script = process.argv[1]?.split('/').slice(-3).join('/') ?? 'bot.js'
  let flags: Flags
  try {
    flags = parseFlags(argv)
  } catch (error) {
    process.stderr.write(`natter: ${(error as Error).message}; see --help\n`)
    process.exit(ExitCode.Usage)
  }
  if (flags.help) {
    process.stdout.write(`${usage(script)}\n`)
    process.exit(ExitCode.Ok)
  }
  if (flags.version) {
    process.stdout.write(`natter ${VERSION}\n`)
    process.exit(ExitCode.Ok)
  }

  loadDotenv({ quiet: true, override: false })

  let stopping = false
  const exit = (code: number): never => process.exit(code)
  const shutdown = (signal: string): void => {
    if (stopping) {
      bot.log.warn({ signal }, 'second signal: exiting now')
      exit(ExitCode.Software)
    }
    stopping = true
    bot.log.info({ signal }, 'shutting down')
    const deadline = (bot.settings?.shutdownTimeout ?? 20) * 1000
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
    await bot.start(flags.debug ? { logLevel: 'debug' } : {})
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
  if (!(error instanceof FatalError)) return ExitCode.Software
  if (error.reason === 'auth') return ExitCode.Auth
  if (error.reason === 'conflict') return ExitCode.Conflict
  if (error.reason === 'tls') return ExitCode.Tls
  if (error.reason === 'unreachable') return ExitCode.Unavailable
  return ExitCode.Software
}
