import { randomBytes } from 'node:crypto'
import { bareJid } from '../jid.js'
import type { Logger } from '../log/logger.js'
import { type CommandArgs, type CommandContext, type CommandOptions, type CommandSpec, Commands } from './commands.js'
import { type IqContext, type IqField, iqKind } from './context/iq.js'
import { type MessageContext, type MessageField, messageKind } from './context/message.js'
import { type PresenceContext, type PresenceField, presenceKind } from './context/presence.js'
import type { StanzaContext } from './context/stanza-context.js'
import { type SubscriptionContext, type SubscriptionField, subscriptionKind } from './context/subscription.js'
import { compileGuards, type Exact, type Guards, type Narrow } from './guards.js'
import { type Handler, type Middleware, type Next, Router } from './router.js'
import { KindRegistry, type StanzaKind } from './stanza-kind.js'

/**
 * The stanza kinds handlers can register for: each with its context and the fields its guards test.
 * A feature that defines a kind adds it here by declaration merging, so `handle()` types it.
 *
 * @example
 * ```ts
 * declare module 'natter' { interface StanzaKinds { headline: { context: HeadlineContext; field: 'from' | 'body' } } }
 * ```
 */
export interface StanzaKinds {
  message: { context: MessageContext; field: MessageField }
  presence: { context: PresenceContext; field: PresenceField }
  subscription: { context: SubscriptionContext; field: SubscriptionField }
  iq: { context: IqContext; field: IqField }
}

type ContextOf<K extends keyof StanzaKinds> = StanzaKinds[K]['context']
type FieldOf<K extends keyof StanzaKinds> = StanzaKinds[K]['field'] & keyof ContextOf<K>

/**
 * The hook `bot.catch()` sets: the error, the context of the stanza being handled, and the failure's
 * short reference (six hex digits), which the sender's reply shows.
 *
 * @example
 * ```ts
 * const hook: ErrorHook = (error, ctx, ref) => ctx.log.error({ err: error, ref }, 'handler failed')
 * ```
 */
export type ErrorHook = (error: unknown, ctx: StanzaContext, ref: string) => unknown

/** The message types commands are read from. */
const COMMAND_TYPES = ['chat', 'normal', 'groupchat'] as const

/**
 * Who may run admin commands, and how commands are marked.
 *
 * @example
 * ```ts
 * const bot = createBot({ admins: ['ops@example.org'], commandPrefix: '!' })
 * ```
 */
export interface ComposerOptions {
  /** Bare JIDs allowed to run commands registered with `admin: true`. */
  admins?: readonly string[]
  /** A prefix that marks commands, e.g. `!`. Needed in rooms besides addressing the bot by nick; optional in 1:1 chats. */
  commandPrefix?: string
}

/**
 * A hook that hears about every handler registered, e.g. to announce an IQ namespace.
 *
 * @example
 * ```ts
 * bot.onRegister(({ kind, guards }) => bot.log.debug({ kind, guards }, 'handler registered'))
 * ```
 */
export type RegistrationListener = (registration: { kind: string; guards: unknown }) => void

/**
 * Handler registration: middleware, handlers by stanza kind with their guards, commands, the error
 * hook. The bot is one; the chain it builds is run by the bot for every inbound stanza.
 *
 * @example
 * ```ts
 * bot.message({ type: 'chat', body: /^ping$/i }, (msg) => msg.reply('pong')).use(logTiming)
 * ```
 */
export class Composer {
  /** @internal The chain handlers are registered into. */
  protected readonly router = new Router()
  /** @internal The stanza kinds this bot knows. */
  protected readonly kinds = new KindRegistry()
  #errorHook: ErrorHook | undefined
  readonly #composerOptions: ComposerOptions
  readonly #registrationListeners: RegistrationListener[] = []
  #commands: Commands | undefined
  /** Messages the first route gave to the commands, which the commands' own route then passes on. */
  readonly #asked = new WeakSet<StanzaContext>()

  constructor(options: ComposerOptions = {}) {
    this.#composerOptions = options
    for (const kind of [messageKind, presenceKind, subscriptionKind, iqKind]) this.kinds.define(kind as StanzaKind)
    // Corrections, retractions and reactions are never commands.
    const plain = compileGuards<MessageContext>(messageKind, undefined)
    // First among the handlers, whatever comes later: a message that asks for a known command by
    // address or prefix is that command's, not a free-text handler's registered before it.
    this.router.add(
      messageKind,
      (ctx) => {
        const msg = ctx as MessageContext
        return (
          msg.body !== undefined &&
          plain(msg) !== false &&
          this.#commands?.asked(msg as MessageContext & { body: string }, this.#composerOptions.commandPrefix) === true
        )
      },
      (ctx, next) => {
        this.#asked.add(ctx)
        return this.#runCommand(ctx as MessageContext & { body: string }, next)
      },
      { type: COMMAND_TYPES },
    )
  }

  /**
   * Handles messages: chat, groupchat, normal, headline and error.
   *
   * @example
   * ```ts
   * bot.message({ type: 'chat', body: /^roll (\d+)$/ }, (msg) => msg.reply(String(1 + Math.floor(Math.random() * Number(msg.match[1])))))
   * ```
   */
  message(handler: Handler<MessageContext>): this
  message<const G extends Guards<MessageContext, MessageField>>(guards: G & Exact<G, MessageField>, handler: Handler<Narrow<MessageContext, G>>): this
  message(...args: unknown[]): this {
    return this.#register('message', args)
  }

  /**
   * Handles contacts' presence: available (with show, status, priority), unavailable, probe, error.
   *
   * @example
   * ```ts
   * bot.presence({ type: 'unavailable' }, (p) => p.log.info(`${p.from} left`))
   * ```
   */
  presence(handler: Handler<PresenceContext>): this
  presence<const G extends Guards<PresenceContext, PresenceField>>(guards: G & Exact<G, PresenceField>, handler: Handler<Narrow<PresenceContext, G>>): this
  presence(...args: unknown[]): this {
    return this.#register('presence', args)
  }

  /**
   * Handles subscription requests and answers: subscribe, subscribed, unsubscribe, unsubscribed.
   *
   * @example
   * ```ts
   * bot.subscription({ type: 'subscribe' }, async (req) => { await req.approve(); await req.subscribeBack() })
   * ```
   */
  subscription(handler: Handler<SubscriptionContext>): this
  subscription<const G extends Guards<SubscriptionContext, SubscriptionField>>(
    guards: G & Exact<G, SubscriptionField>,
    handler: Handler<Narrow<SubscriptionContext, G>>,
  ): this
  subscription(...args: unknown[]): this {
    return this.#register('subscription', args)
  }

  /**
   * Handles IQ get and set requests. Return an element to send it as the result's payload; throw a
   * `StanzaError` to answer with that error. A request no handler takes is answered
   * `service-unavailable`, and a handler that throws anything else answers `internal-server-error`.
   *
   * @example
   * ```ts
   * bot.iq({ type: 'get', xmlns: 'urn:xmpp:time', element: 'time' }, () =>
   *   xml('time', { xmlns: 'urn:xmpp:time' }, xml('utc', {}, new Date().toISOString()), xml('tzo', {}, 'Z')))
   * ```
   */
  iq(handler: Handler<IqContext>): this
  iq<const G extends Guards<IqContext, IqField>>(guards: G & Exact<G, IqField>, handler: Handler<Narrow<IqContext, G>>): this
  iq(...args: unknown[]): this {
    return this.#register('iq', args)
  }

  /**
   * Registers a handler for any stanza kind by name, including kinds that features define (such as
   * `rosterPush`). `bot.message(...)` is `bot.handle('message', ...)`.
   *
   * @example
   * ```ts
   * bot.handle('presence', { type: 'unavailable' }, (p) => p.log.info(`${p.from} left`))
   * ```
   */
  handle<K extends keyof StanzaKinds>(kind: K, handler: Handler<ContextOf<K>>): this
  handle<K extends keyof StanzaKinds, const G extends Guards<ContextOf<K>, FieldOf<K>>>(
    kind: K,
    guards: G & Exact<G, FieldOf<K>>,
    handler: Handler<Narrow<ContextOf<K>, G>>,
  ): this
  handle(kind: keyof StanzaKinds, ...args: unknown[]): this {
    return this.#register(kind, args)
  }

  /**
   * Registers a command. The spec is the name and its arguments: `<arg>` a required word, `[arg]` an
   * optional one, `<arg...>` or `[arg...]` the rest of the line; the handler gets them typed in
   * `cmd.args`; words before the arguments name a subcommand (`todo add <text...>`, `todo list`),
   * and `help todo` lists a command's subcommands. natter adds `help`, which lists the commands, and
   * answers unknown commands with a hint; a `help` command of your own replaces the built-in one
   * entirely (`help <command>` included), on purpose, for a bot that explains itself its own way. Write the name without `commandPrefix` (`todo`, not `!todo`). In a 1:1 chat a command is just the message; in a room the bot must be addressed by nick
   * (`bot: help`, `bot, echo hi`) or with `commandPrefix`. A message that names a known command that
   * way (or with the prefix in a chat) reaches it before any other handler; any other chat message
   * reaches the commands in registration order, and they answer it as a command (an unknown one
   * with a hint): register free-text chat handlers before them.
   *
   * @example
   * ```ts
   * bot.command('echo <text...>', 'Repeats the text', (cmd) => cmd.reply(cmd.args.text))
   * bot.command('kick <nick>', { description: 'Removes someone', admin: true }, (cmd) => kick(cmd.args.nick))
   * bot.command('todo add <text...>', 'Adds an item to your list', (cmd) => addItem(cmd.from, cmd.args.text))
   * ```
   */
  command<const S extends string>(spec: S, description: string | CommandOptions, handler: Handler<CommandContext<CommandArgs<S>>>): this {
    if (!this.#commands) {
      this.#commands = new Commands()
      // Where the first command is registered: every other chat message that reaches it is read as a command.
      this.message({ type: COMMAND_TYPES, body: true }, (ctx, next) => (this.#asked.has(ctx) ? next() : this.#runCommand(ctx, next)))
    }
    const options = typeof description === 'string' ? { description } : description
    this.#commands.add(spec, options, handler as (ctx: CommandContext) => unknown)
    return this
  }

  /** @internal The commands registered so far, in order, for features that offer them another way (ad-hoc commands). */
  get commandSpecs(): readonly CommandSpec[] {
    return this.#commands?.list() ?? []
  }

  /**
   * Whether a JID belongs to one of the configured admins. In rooms, pass the occupant's real JID
   * (`msg.realJid`), never the room nick.
   *
   * @example
   * ```ts
   * bot.message({ body: 'shutdown' }, (msg) => { if (bot.isAdmin(msg.realJid)) process.kill(process.pid, 'SIGTERM') })
   * ```
   */
  isAdmin(jid: string | undefined): boolean {
    if (jid === undefined) return false
    const bare = bareJid(jid)
    return (this.#composerOptions.admins ?? []).some((admin) => bareJid(admin) === bare)
  }

  /**
   * Adds middleware that runs before the handlers of every stanza kind, in registration order.
   *
   * @example
   * ```ts
   * bot.use(async (ctx, next) => { const t = Date.now(); await next(); ctx.log.debug({ ms: Date.now() - t }, ctx.kind) })
   * ```
   */
  use(middleware: Middleware): this {
    this.router.use(middleware)
    return this
  }

  /**
   * Sets the one error hook: it gets every error a middleware or handler throws, with the failure's
   * short reference (the one the sender's "something went wrong" reply shows). Without it errors
   * are logged, with that reference. Either way the bot goes on.
   *
   * @example
   * ```ts
   * bot.catch((error, ctx, ref) => ctx.log.error({ err: error, ref }, 'handler failed'))
   * ```
   */
  catch(hook: ErrorHook): this {
    this.#errorHook = hook
    return this
  }

  /**
   * @internal Hands a failure to the error hook, or logs it when there is none (or the hook fails
   * too). Returns the failure's reference, which ties a reply to the sender to the log line.
   */
  protected reportFailure(error: unknown, ctx: StanzaContext, log: Logger): string {
    const ref = randomBytes(3).toString('hex')
    if (this.#errorHook) {
      try {
        const result = this.#errorHook(error, ctx, ref)
        if (result instanceof Promise) result.catch((e: unknown) => log.error({ err: e, ref }, 'the error hook failed'))
        return ref
      } catch (hookError) {
        log.error({ err: hookError, ref }, 'the error hook failed')
      }
    }
    log.error({ err: error, kind: ctx.kind, from: ctx.from, id: ctx.id, ref }, `${ctx.kind} handler failed`)
    return ref
  }

  /**
   * Defines a stanza kind of a feature's own, carved out of messages, presences or IQs; its stanzas
   * then reach the handlers registered for it instead of the wider kind's.
   *
   * @example
   * ```ts
   * bot.defineKind(headlineKind)
   * ```
   */
  defineKind(kind: StanzaKind): this {
    this.kinds.define(kind)
    return this
  }

  /**
   * Hears about every handler registered from now on, with its kind and guards.
   *
   * @example
   * ```ts
   * bot.onRegister(({ kind, guards }) => bot.log.debug({ kind, guards }, 'handler added'))
   * ```
   */
  onRegister(listener: RegistrationListener): this {
    this.#registrationListeners.push(listener)
    return this
  }

  #runCommand(ctx: MessageContext & { body: string }, next: Next): unknown {
    return this.#commands?.run(ctx, next, { prefix: this.#composerOptions.commandPrefix, nick: ctx.ownNick, admin: this.isAdmin(ctx.realJid) })
  }

  #register(name: string, args: unknown[]): this {
    const kind = this.kinds.get(name)
    if (!kind) throw new TypeError(`no stanza kind "${name}"; is the feature that defines it installed?`)
    const [guards, handler] = args.length === 1 ? [undefined, args[0]] : args
    if (typeof handler !== 'function') throw new TypeError(`${name}: the handler must be a function`)
    const matcher = compileGuards<StanzaContext>(kind, guards)
    this.router.add(kind, matcher, handler as Handler<StanzaContext>, guards)
    for (const listener of this.#registrationListeners) listener({ kind: name, guards })
    return this
  }
}
