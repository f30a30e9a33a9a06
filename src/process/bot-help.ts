import { ExitCode } from '../errors.js'
import type { Setting } from '../settings/setting.js'
import { settingsHelp } from '../settings/settings-help.js'
import { twoColumns } from '../settings/two-columns.js'

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

/**
 * The text a bot's `--help` prints: its flags, the settings it reads (its settings table) and the
 * exit codes.
 *
 * @example
 * ```ts
 * process.stdout.write(`${usage('bot.js', bot.settingsTable.rows)}\n`)
 * ```
 */
export function usage(script: string, settings: readonly Setting<unknown>[]): string {
  return [
    `Usage: node ${script} [options]`,
    '',
    'An XMPP bot built with natter. It is configured by environment variables,',
    'read from .env too when that file exists (variables already set win).',
    '',
    'Options:',
    ...twoColumns([
      ['-D, --debug', 'log at debug level, every stanza in and out (passwords hidden)'],
      ['-h, --help', 'show this help'],
      ['-v, --version', 'show the natter version'],
    ]),
    '',
    'Environment:',
    ...settingsHelp(settings),
    '',
    'Exit codes:',
    ...twoColumns(EXIT_CODES),
  ].join('\n')
}
