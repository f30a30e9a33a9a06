import { parseArgs } from 'node:util'
import { type Jid, parseJid, UsageError } from '../index.js'

/** How a one-off command talks to the server. */
export interface SessionFlags {
  /** `-D`: every stanza in and out, on stderr. */
  readonly debug: boolean
  /** How long to wait for the server, and then for each answer, in ms. */
  readonly timeout: number
}

/** One invocation of the `natter` command, read from its arguments. */
export type Command =
  | { readonly name: 'help' }
  | { readonly name: 'version' }
  | { readonly name: 'new'; readonly dir: string }
  | {
      readonly name: 'dev'
      /** `--port`: Prosody's port; undefined for a free one. */
      readonly port: number | undefined
      /** `--say`: send this, print the bot's answer and exit; undefined for the terminal chat. */
      readonly say: string | undefined
      /** How long `--say` waits for the answer, in ms. */
      readonly timeout: number
      /** `--keep`: leave Prosody running, with its accounts, when it ends. */
      readonly keep: boolean
    }
  | { readonly name: 'check'; readonly session: SessionFlags }
  | { readonly name: 'ping'; readonly to: string | undefined; readonly session: SessionFlags }
  | {
      readonly name: 'say'
      readonly to: Jid
      /** Undefined when no words were given: the text comes from stdin. */
      readonly text: string | undefined
      /** `--room`: the target is a room, whatever its disco says. */
      readonly room: boolean
      readonly nick: string | undefined
      readonly session: SessionFlags
    }

const DEFAULT_TIMEOUT_S = 15
/** `natter dev --say` waits from before the bot has started, which takes longer than a server's answer. */
const DEV_TIMEOUT_S = 30

/**
 * Reads the arguments of `natter`. Throws a `UsageError` with a one-line message for anything it
 * cannot make sense of.
 *
 * @example
 * ```ts
 * parseCommand(['say', 'alice@example.org', 'deploy', 'done']) // { name: 'say', text: 'deploy done', ... }
 * ```
 */
export function parseCommand(argv: readonly string[]): Command {
  const { values, positionals } = read(argv)
  const [name, ...rest] = positionals
  if (values.help || name === 'help') return { name: 'help' }
  if (values.version) return { name: 'version' }
  if (name === undefined) throw new UsageError('no command given')
  if (name !== 'say' && (values.room || values.nick !== undefined)) {
    throw new UsageError(`--room and --nick are options of say, not of ${name}`)
  }
  if (name !== 'dev' && (values.port !== undefined || values.say !== undefined || values.keep)) {
    throw new UsageError(`--port, --say and --keep are options of dev, not of ${name}`)
  }
  const session = { debug: values.debug, timeout: timeoutMs(values.timeout) }
  switch (name) {
    case 'new': {
      const [dir, ...extra] = rest
      if (dir === undefined) throw new UsageError('new: which directory? e.g. natter new mybot')
      if (extra.length > 0) throw new UsageError(`new: one directory only, not also "${extra.join(' ')}"`)
      return { name, dir }
    }
    case 'dev': {
      if (rest.length > 0) throw new UsageError(`dev takes no arguments, not "${rest.join(' ')}"; it runs the Procfile here`)
      if (values.say?.trim() === '') throw new UsageError('--say: needs a message, e.g. natter dev --say hello')
      const timeout = values.timeout === undefined ? DEV_TIMEOUT_S * 1000 : session.timeout
      return { name, port: port(values.port), say: values.say, timeout, keep: values.keep }
    }
    case 'check':
      if (rest.length > 0) throw new UsageError(`check takes no arguments, not "${rest.join(' ')}"`)
      return { name, session }
    case 'ping': {
      if (rest.length > 1) throw new UsageError('ping: one JID at most')
      return { name, to: rest[0] === undefined ? undefined : jid(rest[0]).full, session }
    }
    case 'say': {
      const [to, ...words] = rest
      if (to === undefined) throw new UsageError('say: to whom? e.g. natter say alice@example.org hello')
      return { name, to: jid(to), text: words.length > 0 ? words.join(' ') : undefined, room: values.room, nick: values.nick, session }
    }
    default:
      throw new UsageError(`unknown command "${name}"`)
  }
}

function read(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        debug: { type: 'boolean', short: 'D', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
        room: { type: 'boolean', default: false },
        nick: { type: 'string' },
        timeout: { type: 'string' },
        port: { type: 'string' },
        say: { type: 'string' },
        keep: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: true,
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error))
  }
}

function jid(text: string): Jid {
  const parsed = parseJid(text)
  if (!parsed) throw new UsageError(`"${text}" is not a JID`)
  return parsed
}

function port(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const number = Number(text)
  if (!Number.isInteger(number) || number < 1 || number > 65_535) throw new UsageError(`--port: expected a port number, 1 to 65535, not "${text}"`)
  return number
}

function timeoutMs(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_S * 1000
  const seconds = Number(text)
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout: expected a positive number of seconds, not "${text}"`)
  return seconds * 1000
}
