import { ExitCode } from '../index.js'
import { CANT_CREATE } from './failure.js'

/**
 * What `natter --help` prints.
 *
 * @example
 * ```ts
 * process.stdout.write(`${helpText()}\n`)
 * ```
 */
export function helpText(): string {
  return [
    'Usage: natter <command> [options]',
    '',
    'Commands:',
    '  new <dir>                   write a new bot project (an echo bot with its test) into a new directory',
    '  check                       log in as the bot; print the server, its features, the roster size and a ping',
    '  say <jid|room> [text...]    send a message and wait until the server has it; with no text, read stdin;',
    '                              a room (its disco says so, or --room) is joined, told, and left',
    '  ping [jid]                  XEP-0199 round trip to a JID (default: the server)',
    '',
    'Options:',
    '  -D, --debug       log every stanza in and out on stderr (passwords hidden)',
    '      --room        say: the target is a room, without asking it',
    '      --nick <nick> say: the nick in the room (default: the bot\'s, from XMPP_ROOMS or the JID)',
    '      --timeout <s> seconds to wait for the server, then for each answer (default: 15)',
    '  -h, --help        show this help',
    '  -v, --version     show the natter version',
    '',
    'check, say and ping log in with the bot\'s own settings: JID, JPASSWORD, XMPP_SERVICE, from the',
    'environment or from .env in the working directory (variables already set win). They never take the',
    'running bot\'s place: their resource is $DYNO on a one-off dyno (run.N, scheduler.N), else',
    'oneoff-<random>, and they announce no presence, so no message meant for the bot reaches them.',
    '',
    `Exit codes: ${ExitCode.Ok} done, ${ExitCode.Usage} bad arguments, ${ExitCode.Unavailable} server unreachable, no answer or message bounced,`,
    `${CANT_CREATE} directory not empty, ${ExitCode.Tls} certificate not trusted, ${ExitCode.Auth} login refused, ${ExitCode.Config} bad settings,`,
    `${ExitCode.Conflict} resource taken over, ${ExitCode.Software} internal error, 130/143 interrupted.`,
  ].join('\n')
}
