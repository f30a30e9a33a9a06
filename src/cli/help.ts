import { botSettings } from '../create-bot.js'
import { ExitCode } from '../index.js'
import { settingsHelp } from '../settings/settings-help.js'
import { CANT_CREATE, NO_INPUT } from './failure.js'

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
    '  new <dir>             write a new bot project (an echo bot with its test) into',
    '                        a new directory',
    "  dev                   run this project's Procfile bot: line with -D against a",
    '                        private Prosody, and chat with the bot on the terminal',
    '                        (/quit, Ctrl-D or Ctrl-C to stop)',
    '  check                 log in as the bot; print the server, its features, the',
    '                        roster size and a ping',
    '  say <jid|room> [text] send a message and wait until the server has it; with no',
    '                        text, read stdin; a room (its disco says so, or --room)',
    '                        is joined, told, and left',
    '  ping [jid]            XEP-0199 round trip to a JID (default: the server)',
    '',
    'Options:',
    '  -D, --debug           log every stanza in and out on stderr (passwords hidden)',
    '      --room            say: the target is a room, without asking it',
    "      --nick <nick>     say: the nick in the room (default: the bot's, from",
    '                        XMPP_ROOMS or the JID)',
    '      --timeout <s>     seconds to wait for the server, then for each answer',
    "                        (default 15); dev --say: for the bot's answer, counted",
    '                        from before the bot starts (default 30)',
    "      --port <port>     dev: the private Prosody's port (default: a free one)",
    '      --say <text>      dev: send the bot this, print its answer and stop,',
    '                        instead of the chat',
    '      --keep            dev: leave Prosody running when it ends, and print the',
    '                        accounts, to restart the bot or log in as another user',
    '  -h, --help            show this help',
    '  -v, --version         show the natter version',
    '',
    "Environment (the bot's settings):",
    ...settingsHelp(botSettings()),
    '',
    "check, say and ping log in with the bot's own settings: JID, JPASSWORD,",
    'XMPP_SERVICE, from the environment or from .env in the working directory',
    "(variables already set win). They never take the running bot's place: their",
    'resource is $DYNO on a one-off dyno (run.N, scheduler.N), else oneoff-<random>,',
    'and they announce no presence, so no message meant for the bot reaches them.',
    '',
    'dev gives the bot the account bot@localhost (as JID, JPASSWORD, XMPP_SERVICE)',
    'and you me@localhost, on a Prosody of its own on 127.0.0.1, installed with',
    'apt-get first when you are root and it is missing.',
    '',
    'Exit codes:',
    `  ${ExitCode.Ok}        done`,
    `  ${ExitCode.Usage}       bad arguments`,
    `  ${NO_INPUT}       dev: no Procfile with a bot: line here`,
    `  ${ExitCode.Unavailable}       server unreachable, no answer, message bounced, no Prosody`,
    `  ${ExitCode.Software}       internal error`,
    `  ${CANT_CREATE}       new: directory not empty`,
    `  ${ExitCode.Conflict}       resource taken over`,
    `  ${ExitCode.Tls}       certificate not trusted`,
    `  ${ExitCode.Auth}       login refused`,
    `  ${ExitCode.Config}       bad settings`,
    '  130/143  interrupted (SIGINT, SIGTERM)',
  ].join('\n')
}
