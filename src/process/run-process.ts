import { isAbsolute, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { config as loadDotenv } from 'dotenv'
import { ConfigError, ExitCode, FatalError, UsageError } from '../errors.js'
import type { Logger, LogLevel } from '../log/logger.js'
import { VERSION } from '../version.js'

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

/** The exit codes `--help` lists, with what each means. */
const EXIT_CODES: ReadonlyArray<readonly [number, string]> = [
  [ExitCode.Ok, 'stopped by SIGTERM or SIGINT, after a clean shutdown'],
  [ExitCode.Usage, 'bad command-line option'],
  [ExitCode.Unavailable, 'server unreachable for longer than the reconnect policy allows'],
  [ExitCode.Software, 'internal error, or a forced exit (second signal, overdue shutdown)'],
  [ExitCode.Conflict, "another connection took over the bot's resource"],
  [ExitCode.Tls, 'no TLS, or the server certificate not trusted'],
  [ExitCode.Auth, 'login refused, or impossible (server not proven, no mechanism in common)'],
  [ExitCode.Config, 'bad configuration'],
]

const ENVIRONMENT: ReadonlyArray<readonly [string, string]> = [
  ['JID', "the bot's address: user@domain or user@domain/resource (required)"],
  ['JPASSWORD', 'its password (required)'],
  ['XMPP_SERVICE', "xmpp://host:port or xmpps://host:port (default: found from the JID's domain)"],
  ['XMPP_RESOURCE', 'resource to bind (default: $DYNO plus a boot id when set, else chosen by the server)'],
  ['LOG_LEVEL', 'fatal, error, warn, info, debug, trace or silent (default: info)'],
  ['XMPP_ROOMS', 'rooms to join: room@service or room@service/nick, comma-separated'],
  ['XMPP_PING_INTERVAL', 'seconds of silence on the link before the bot pings its server (default: 60)'],
  ['XMPP_PING_TIMEOUT', 'seconds without an answer before the link counts as dead (default: 10)'],
  ['SHUTDOWN_TIMEOUT', 'seconds SIGTERM waits for running handlers (default: 20)'],
  ['XMPP_FORMATION', 'on or off: the processes of one bot share its work, each stanza once (default: on)'],
  ['XMPP_TAKEOVER', 'seconds a silent process may stay before the others take over (default: 5)'],
  ['XMPP_MAX_STANZA_SIZE', 'largest stanza the bot writes, in bytes; bigger ones are refused (default: 262144)'],
  ['XMPP_SEND_RATE', 'at most this many stanzas a second from the bot (default: as fast as the server reads)'],
  ['XMPP_SEND_BURST', 'stanzas that may go at once under XMPP_SEND_RATE (default: one second of it)'],
  ['XMPP_LIMITS', 'off: no per-sender limits at all (default: on)'],
  ['XMPP_SENDER_RATE', 'stanzas a second each sender may keep sending (default: 10)'],
  ['XMPP_SENDER_BURST', 'stanzas each sender may send at once, on top of that (default: 500)'],
  [
    'XMPP_TRUSTED_ROOM_SERVICES',
    "room services believed about real JIDs, comma-separated (default: the bot's server, its subdomains and services, and XMPP_ROOMS's)",
  ],
  [
    'XMPP_ALLOW_INSECURE',
    '1 to log in without TLS to a server not on loopback, where the login and every message can be read and changed on the way (default: 0, TLS required)',
  ],
]

/** Rows of a two-column table for a terminal: the second column starts at `indent` and wraps before 80 columns. */
function table(rows: ReadonlyArray<readonly [string | number, string]>, indent: number): string[] {
  const lines: string[] = []
  for (const [key, text] of rows) {
    let line = `  ${String(key)}`.padEnd(indent)
    for (const word of text.split(' ')) {
      if (line.length + word.length + 1 > 79 && line.trim() !== String(key)) {
        lines.push(line.trimEnd())
        line = ' '.repeat(indent)
      }
      line += line.length === indent ? word : ` ${word}`
    }
    lines.push(line)
  }
  return lines
}

/**
 * The text `--help` prints.
 *
 * @example
 * ```ts
 * process.stdout.write(`${usage('bot.js')}\n`)
 * ```
 */
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
    ...table(ENVIRONMENT, 22),
    '',
    'Exit codes:',
    ...table(EXIT_CODES, 6),
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
    process.stdout.write(`${usage(script)}\n`)
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
  return error instanceof FatalError ? error.exitCode : ExitCode.Software
}
