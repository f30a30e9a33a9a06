import { bareJid } from '../jid.js'
import { OncePer } from '../pacing/once-per.js'
import type { MessageContext } from './context/message.js'
import type { Next } from './router.js'

/** How long after a hint about unknown commands the same sender gets none: two bots would hint each other forever. */
export const HINT_INTERVAL_MS = 5 * 60_000

type Words<S extends string> = S extends `${infer Head} ${infer Tail}` ? [Head, ...Words<Tail>] : S extends '' ? [] : [S]

type ArgOf<T extends string> = T extends `<${infer N}...>`
  ? { [K in N]: string }
  : T extends `<${infer N}>`
    ? { [K in N]: string }
    : T extends `[${infer N}...]`
      ? { [K in N]?: string }
      : T extends `[${infer N}]`
        ? { [K in N]?: string }
        : unknown

type ArgsOf<W extends readonly string[]> = W extends [infer H extends string, ...infer R extends string[]] ? ArgOf<H> & ArgsOf<R> : unknown

type Flat<T> = { [K in keyof T]: T[K] }

/**
 * The arguments a command spec declares: `<name>` a required word, `[name]` an optional word,
 * `<name...>` or `[name...]` the rest of the line; words before them name a subcommand.
 *
 * @example
 * ```ts
 * type A = CommandArgs<'remind <minutes> <text...>'> // { minutes: string; text: string }
 * type B = CommandArgs<'todo add <text...>'> // { text: string }
 * ```
 */
export type CommandArgs<S extends string> = Words<S> extends [string, ...infer R extends string[]] ? Flat<ArgsOf<R>> : Record<string, never>

/**
 * The context of a command handler: the message, plus the command's name and parsed arguments.
 *
 * @example
 * ```ts
 * bot.command('echo <text...>', 'Repeats the text', (cmd) => cmd.reply(cmd.args.text))
 * ```
 */
export type CommandContext<A = Record<string, string | undefined>> = MessageContext & {
  readonly body: string
  /** The command's name, as registered. */
  readonly command: string
  readonly args: A
  /**
   * The built-in help for this asker (admin commands only for admins; in a room, how to address the
   * bot), of `topic` when given: for a `help` command of the bot's own, which replaces the built-in
   * one, to keep the list of commands.
   */
  readonly helpText: (topic?: string) => string
}

/**
 * How a command is described and who may run it.
 *
 * @example
 * ```ts
 * bot.command('restart', { description: 'Restarts the bot', admin: true }, (cmd) => cmd.reply('Restarting'))
 * ```
 */
export interface CommandOptions {
  /** One line for `help`. */
  description: string
  /** Only the bot's admins may run it, and only they see it in `help`. */
  admin?: boolean
}

interface Param {
  readonly name: string
  readonly optional: boolean
  readonly rest: boolean
}

/** A registered command. */
export interface CommandSpec {
  readonly name: string
  readonly usage: string
  readonly params: readonly Param[]
  readonly description: string
  readonly admin: boolean
  /** `next` passes the message on to the message handlers registered after the commands. */
  readonly handler: (ctx: CommandContext, next: Next) => unknown
}

/** A word of a command's name. */
const NAME_WORD = /^[\p{L}\p{N}_.-]+$/u

/**
 * Parses a spec such as `remind <minutes> [text...]`, or a subcommand's such as `todo add <text...>`:
 * the words before the first argument are the name. Throws at registration when it is malformed, so a
 * typo fails at start-up.
 */
export function parseSpec(spec: string): { name: string; params: Param[] } {
  const tokens = spec.trim().split(/\s+/)
  const words: string[] = []
  while (tokens[0] !== undefined && !/^[<[]/.test(tokens[0])) words.push(tokens.shift() as string)
  const first = words[0] ?? ''
  const prefix = /^[^\p{L}\p{N}_]+/u.exec(first)?.[0]
  if (prefix !== undefined && NAME_WORD.test(first.slice(prefix.length))) {
    throw new TypeError(
      `command "${spec}": "${prefix}" is a prefix, not part of the name: register "${spec.trim().slice(prefix.length)}" and create the bot with commandPrefix: '${prefix}' to require it`,
    )
  }
  if (words.length === 0 || !words.every((word) => NAME_WORD.test(word))) {
    throw new TypeError(`command "${spec}": the name must be one word, or words for a subcommand (todo add)`)
  }
  const params: Param[] = []
  for (const [i, token] of tokens.entries()) {
    const m = /^(<|\[)([\p{L}\p{N}_-]+)(\.\.\.)?(>|\])$/u.exec(token)
    if (!m || (m[1] === '<') !== (m[4] === '>')) {
      throw new TypeError(`command "${spec}": "${token}" is not <arg>, [arg], <arg...> or [arg...]`)
    }
    const param = { name: m[2] as string, optional: m[1] === '[', rest: m[3] !== undefined }
    if (param.rest && i !== tokens.length - 1) throw new TypeError(`command "${spec}": only the last argument can take the rest of the line`)
    if (!param.optional && params.some((p) => p.optional)) {
      throw new TypeError(`command "${spec}": a required argument cannot follow an optional one`)
    }
    if (params.some((p) => p.name === param.name)) throw new TypeError(`command "${spec}": "${param.name}" appears twice`)
    params.push(param)
  }
  return { name: words.join(' ').toLowerCase(), params }
}

/** What came of reading a line as a command. */
export type Parsed =
  | { kind: 'ok'; command: CommandSpec; args: Record<string, string | undefined> }
  | { kind: 'unknown'; name: string; rest: string }
  | { kind: 'usage'; command: CommandSpec }
  | { kind: 'group'; name: string }

/**
 * The bot's commands, indexed by name: parsing a line costs the same with one command or a thousand.
 */
export class Commands {
  readonly #byName = new Map<string, CommandSpec>()
  /** The first words of subcommands (`todo` of `todo add`), which alone answer with their list. */
  readonly #groups = new Set<string>()
  /** The most words a command's name has. */
  #depth = 1
  readonly #hinted = new OncePer(HINT_INTERVAL_MS)

  add(spec: string, options: CommandOptions, handler: CommandSpec['handler']): void {
    const { name, params } = parseSpec(spec)
    if (this.#byName.has(name)) throw new TypeError(`command "${name}" is registered twice`)
    const words = name.split(' ')
    if (words.length > 1) this.#groups.add(words[0] as string)
    this.#depth = Math.max(this.#depth, words.length)
    this.#byName.set(name, { name, usage: spec.trim().replace(/\s+/g, ' '), params, description: options.description, admin: options.admin ?? false, handler })
  }

  /** The commands in registration order. */
  list(): CommandSpec[] {
    return [...this.#byName.values()]
  }

  get size(): number {
    return this.#byName.size
  }

  has(name: string): boolean {
    const lower = name.toLowerCase()
    return this.#byName.has(lower) || this.#groups.has(lower)
  }

  /** Reads `text` (already stripped of any address or prefix) as a command line. */
  parse(text: string): Parsed {
    const line = text.trim()
    const words = line.split(/\s+/, this.#depth).map((word) => word.toLowerCase())
    // The longest name the line starts with: `todo add milk` is `todo add`'s, not `todo`'s.
    let command: CommandSpec | undefined
    let taken = 0
    for (let n = words.length; n > 0 && !command; n--) {
      command = this.#byName.get(words.slice(0, n).join(' '))
      if (command) taken = n
    }
    const name = words[0] ?? ''
    if (!command) {
      if (this.#groups.has(name)) return { kind: 'group', name }
      return { kind: 'unknown', name, rest: line.slice(name.length).trim() }
    }
    let rest = line
    for (let i = 0; i < taken; i++) rest = rest.replace(/^\S+\s*/, '')
    const args: Record<string, string | undefined> = {}
    for (const param of command.params) {
      if (param.rest) {
        args[param.name] = rest === '' ? undefined : rest
        rest = ''
      } else {
        const m = /^(\S+)\s*/.exec(rest)
        args[param.name] = m?.[1]
        rest = m ? rest.slice(m[0].length) : ''
      }
      if (args[param.name] === undefined && !param.optional) return { kind: 'usage', command }
    }
    if (rest !== '') return { kind: 'usage', command }
    return { kind: 'ok', command, args }
  }

  /**
   * Whether a message asks for a known command explicitly: in a room addressed to the bot (`nick: `,
   * `nick, `) or with the prefix, elsewhere with the prefix.
   */
  asked(ctx: MessageContext & { body: string }, prefix: string | undefined): boolean {
    const text =
      ctx.type === 'groupchat'
        ? addressedText(ctx.body, ctx.ownNick, prefix)
        : prefix !== undefined && ctx.body.startsWith(prefix)
          ? ctx.body.slice(prefix.length)
          : undefined
    const name = text?.trim().split(/\s/, 1)[0]?.toLowerCase()
    return name !== undefined && (this.has(name) || name === 'help')
  }

  /**
   * Runs a message as a command, or answers it with usage, help or a hint (at most one hint per sender
   * every {@link HINT_INTERVAL_MS}; in a room a sender is the occupant). In a room (`nick` given)
   * the message must address the bot (`nick: `, `nick, `) or start with `prefix`; anything else is
   * passed on with `next()`.
   */
  async run(
    ctx: MessageContext & { body: string },
    next: Next,
    options: { prefix: string | undefined; nick: string | undefined; admin: boolean },
  ): Promise<unknown> {
    const { prefix, nick, admin } = options
    let text: string | undefined = ctx.body
    if (ctx.type === 'groupchat') {
      text = addressedText(ctx.body, nick, prefix)
      if (text === undefined) return next()
    } else if (prefix !== undefined && text.startsWith(prefix)) {
      text = text.slice(prefix.length)
    }
    const parsed = this.parse(text)
    if (parsed.kind === 'ok' && (!parsed.command.admin || admin)) {
      const address = ctx.type === 'groupchat' ? howToAddress(nick, prefix) : undefined
      Object.assign(ctx, { command: parsed.command.name, args: parsed.args, helpText: (topic?: string) => this.help(admin, address, topic) })
      await parsed.command.handler(ctx as unknown as CommandContext, next)
    } else if (parsed.kind === 'usage' && (!parsed.command.admin || admin)) {
      await ctx.reply(`Usage: ${parsed.command.usage}`)
    } else if (parsed.kind === 'unknown' && parsed.name === 'help' && !this.has('help')) {
      await ctx.reply(this.help(admin, ctx.type === 'groupchat' ? howToAddress(nick, prefix) : undefined, parsed.rest))
    } else if (parsed.kind === 'group') {
      await ctx.reply(this.help(admin, undefined, parsed.name))
    } else if (parsed.kind === 'ok' || parsed.kind === 'usage') {
      await ctx.reply(`Sorry, only admins may use ${parsed.command.name}.`)
    } else if (this.#hinted.take(ctx.realJid === undefined ? ctx.from : bareJid(ctx.realJid))) {
      const name = parsed.name.length > 40 ? `${parsed.name.slice(0, 40)}…` : parsed.name
      await ctx.reply(name === '' ? 'Send "help" for the list of commands.' : `I don't know "${name}". Send "help" for the list of commands.`)
    }
  }

  /**
   * The help text: every command the asker may run (of `topic`, such as `todo`, when given), with its
   * usage and description, and how to address the bot where it is asked.
   */
  help(isAdmin: boolean, address?: string, topic = ''): string {
    const about = topic.trim().toLowerCase()
    const commands = [...this.#byName.values()].filter((c) => (isAdmin || !c.admin) && (about === '' || c.name === about || c.name.startsWith(`${about} `)))
    if (about !== '' && commands.length === 0) return `I don't know "${about.slice(0, 40)}". Send "help" for the list of commands.`
    const lines = commands.map((c) => [c.usage, `${c.description}${c.admin ? ' (admin)' : ''}`] as const)
    if (!this.#byName.has('help') && about === '') lines.push(['help', 'Lists the commands'])
    lines.sort(([a], [b]) => a.localeCompare(b))
    const width = Math.max(...lines.map(([usage]) => usage.length))
    const list = [about === '' ? 'Commands:' : `Commands of ${about}:`, ...lines.map(([usage, text]) => `  ${usage.padEnd(width)}  ${text}`)]
    return (address === undefined ? list : [...list, address]).join('\n')
  }
}

/** Strips the address (`nick: `, `nick, `) or prefix from a room message; undefined when it is not for the bot. */
function addressedText(body: string, nick: string | undefined, prefix: string | undefined): string | undefined {
  if (prefix !== undefined && body.startsWith(prefix)) return body.slice(prefix.length)
  if (nick === undefined) return undefined
  const head = body.slice(0, nick.length)
  const after = body.slice(nick.length)
  if (head.toLowerCase() !== nick.toLowerCase()) return undefined
  const m = /^[:,]\s*/.exec(after)
  return m ? after.slice(m[0].length) : undefined
}

/** How occupants address the bot in a room, for `help` there. */
function howToAddress(nick: string | undefined, prefix: string | undefined): string {
  const ways = [nick !== undefined && `"${nick}: <command>"`, prefix !== undefined && `"${prefix}<command>"`].filter((w) => w !== false)
  return `In this room, address me as ${ways.join(' or ')}, e.g. "${nick !== undefined ? `${nick}: ` : prefix}help".`
}
