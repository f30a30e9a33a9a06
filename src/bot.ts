import { runProcess } from './cli.js'
import { type CommandArgs, type CommandContext, type CommandOptions, Commands } from './commands.js'
import { type BotOptions as SettingsOptions, loadSettings, type Settings } from './config.js'
import type { BotLink, StanzaContext } from './context/base.js'
import { IqContext } from './context/iq.js'
import { MessageContext, type MessageType } from './context/message.js'
import { PresenceContext, type Show } from './context/presence.js'
import { SubscriptionContext } from './context/subscription.js'
import { FatalError, StanzaError, type UndeliveredReason } from './errors.js'
import { compileGuards, type Guards, type Narrow } from './guards.js'
import { answerDisco, Features } from './disco.js'
import { bareJid, parseJid } from './jid.js'
import { createLogger, type Logger } from './log.js'
import { Rooms } from './muc.js'
import { Outbox, type OutboxOptions } from './outbox.js'
import { Roster, RosterContext } from './roster.js'
import { answerVersion } from './software-version.js'
import { VERSION } from './version.js'
import { PendingRequests } from './requests.js'
import { type Handler, type Middleware, type Next, Router } from './router.js'
import { Session, type SessionOptions } from './session.js'
import { settleWithin } from './settle.js'
import { type IqAnswer, Transport } from './transport.js'
import { xml, type XmlElement } from './xml.js'

/**
 * Everything a bot can be given in code; each setting overrides its environment variable.
 *
 * @example
 * ```ts
 * const bot = createBot({ jid: 'bot@example.org', password: process.env.SECRET, reconnect: { maxDelay: 30_000 } })
 * ```
 */
export interface BotOptions extends SettingsOptions {
  /** Reconnect policy: backoff, connect timeout, when to give up. */
  reconnect?: SessionOptions
  /** How many stanzas, for how long, `send()` keeps while the bot is offline. */
  outbox?: OutboxOptions
  /** Read settings from this instead of `process.env`. */
  env?: Readonly<Record<string, string | undefined>>
  /** Write logs here instead of stdout. */
  logDestination?: NodeJS.WritableStream
  /** Bare JIDs allowed to run commands registered with `admin: true`. */
  admins?: readonly string[]
  /** A prefix that marks commands, e.g. `!`. Needed in rooms besides addressing the bot by nick; optional in 1:1 chats. */
  commandPrefix?: string
  /**
   * Messages that handlers do not see unless asked for: the bot's own messages (as rooms reflect
   * them) and room history replayed on join. Delayed 1:1 messages, kept by the server while the
   * bot was away, always reach handlers (`ctx.delayed` tells them apart).
   */
  receive?: { ownMessages?: boolean; roomHistory?: boolean }
}

/** Lifecycle events a bot emits, and what their listeners get. */
export interface BotEvents {
  /** Online: after the first connect, and after every reconnect (`resumed` when the old session went on). */
  ready: { jid: string; resumed: boolean }
  /** The link dropped; natter is about to reconnect. */
  disconnected: { error: Error | undefined }
  /** A connection attempt failed; the next one comes after `delay` ms. */
  reconnecting: { attempt: number; delay: number }
  /** The bot cannot go on (a {@link FatalError}) and has stopped. */
  error: Error
  /** natter gave up on sending a stanza; see {@link UndeliveredError}. */
  undelivered: { stanza: XmlElement; reason: UndeliveredReason }
}

/** Fields a message guard can test. */
export type MessageField =
  | 'from'
  | 'to'
  | 'id'
  | 'type'
  | 'body'
  | 'subject'
  | 'thread'
  | 'chatState'
  | 'delayedAt'
  | 'lang'
  | 'room'
  | 'nick'
  | 'mentioned'
/** Fields a presence guard can test. */
export type PresenceField = 'from' | 'to' | 'id' | 'type' | 'show' | 'status' | 'priority' | 'lang'
/** Fields a subscription guard can test. */
export type SubscriptionField = 'from' | 'to' | 'id' | 'type' | 'lang'
/** Fields an IQ guard can test. */
export type IqField = 'from' | 'to' | 'id' | 'type' | 'xmlns' | 'element' | 'lang'
/** Fields a roster push guard can test. */
export type RosterField = 'jid' | 'name' | 'subscription' | 'ask' | 'groups'

const FIELDS = {
  message: ['from', 'to', 'id', 'type', 'body', 'subject', 'thread', 'chatState', 'delayedAt', 'lang', 'room', 'nick', 'mentioned'],
  presence: ['from', 'to', 'id', 'type', 'show', 'status', 'priority', 'lang'],
  subscription: ['from', 'to', 'id', 'type', 'lang'],
  iq: ['from', 'to', 'id', 'type', 'xmlns', 'element', 'lang'],
  roster: ['jid', 'name', 'subscription', 'ask', 'groups'],
} as const satisfies Record<string, readonly string[]>

/**
 * Rejects, at compile time, guard fields that the stanza kind does not have. Parameters take
 * `G & Exact<G, F>`: the bare `G` keeps the literal values of `const G`, which narrow the handler.
 */
type Exact<G, F extends PropertyKey> = G extends readonly unknown[]
  ? { readonly [I in keyof G]: Exact<G[I], F> }
  : G extends (...args: never[]) => unknown
    ? unknown
    : { readonly [K in Exclude<keyof G, F>]: never }

/** Where a bot's stanzas go: the transport in production, an in-memory chat in tests. */
export interface Wire {
  readonly jid: string
  readonly online: boolean
  send(stanza: XmlElement): Promise<void>
}

const SUBSCRIPTION_TYPES = new Set(['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed'])
/** Shutdown hooks get at least this long, even when handlers used up the deadline. */
const SHUTDOWN_HOOK_MIN_MS = 2_000
const NS_ROSTER = 'jabber:iq:roster'

/**
 * A bot: handlers registered by stanza kind, run against one XMPP account.
 *
 * @example
 * ```ts
 * const bot = createBot()
 * bot.subscription({ type: 'subscribe' }, (req) => req.approve())
 * bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
 * bot.run()
 * ```
 */
export class Bot {
  readonly #options: BotOptions
  readonly #router = new Router()
  readonly #listeners = new Map<keyof BotEvents, Set<(info: never) => unknown>>()
  readonly #inflight = new Set<Promise<unknown>>()
  readonly #requests = new PendingRequests(() => this.jid)
  #catch: ((error: unknown, ctx: StanzaContext) => unknown) | undefined
  #log: Logger
  #settings: Settings | undefined
  #transport: Wire | undefined
  #session: Session | undefined
  #outbox: Outbox | undefined
  readonly #shutdownHooks: Array<() => unknown> = []
  #status: { show?: Show | undefined; text?: string | undefined } = {}
  #accepting = false
  readonly #link: BotLink
  #commands: Commands | undefined
  #roomsJoined = false
  /** The bot's group chats (XEP-0045): join, leave, occupants, subjects. */
  readonly rooms: Rooms
  /** The bot's roster: load, add, update, remove; kept current by the server's pushes. */
  readonly roster: Roster
  /** What the bot announces through service discovery; IQ handlers add their namespaces. */
  readonly features = new Features()

  constructor(options: BotOptions = {}) {
    this.#options = options
    this.#log = createLogger(options.logLevel ?? 'info', options.logDestination, process.stdout.isTTY === true && !process.env.CI)
    const bot = this
    this.#link = {
      get jid() {
        return bot.jid
      },
      get log() {
        return bot.#log
      },
      send: (stanza) => this.send(stanza),
      roomNick: (room) => this.rooms.nick(room),
    }
    this.rooms = new Rooms(this)
    this.roster = new Roster(this)
    for (const feature of ['urn:xmpp:ping', 'http://jabber.org/protocol/chatstates', 'http://jabber.org/protocol/muc', 'urn:xmpp:delay']) {
      this.features.add(feature)
    }
    // Roster pushes are the server's business with this client, not a feature to announce, and no
    // handler may keep them from being applied: straight into the chain, first.
    const rosterPush: Handler<IqContext> = (iq) => {
      const item = this.roster.applyPush(iq.stanza, this.jid)
      if (this.#router.has('roster')) this.#track(this.#dispatch(new RosterContext(iq.stanza, item, this.#link)))
    }
    this.#router.add('iq', compileGuards('iq', FIELDS.iq, { type: 'set', xmlns: NS_ROSTER, element: 'query' }), rosterPush as Handler<StanzaContext>)
  }

  /** Answers disco and version after the handlers registered so far, so a bot can answer them its own way. */
  #answerBuiltins(): void {
    answerDisco(this, { name: 'natter' })
    answerVersion(this, { name: 'natter', version: VERSION })
  }

  /** The bot's logger (pino). */
  get log(): Logger {
    return this.#log
  }

  /** The bot's full JID once online; before that, the configured one. */
  get jid(): string {
    return this.#transport?.jid || this.#settings?.jid.full || ''
  }

  /** The validated settings, once `start()` has read them. */
  get settings(): Settings | undefined {
    return this.#settings
  }

  /**
   * Handles messages: chat, groupchat, normal, headline and error. The bot's own messages and room
   * history replayed on join never reach handlers.
   *
   * @example
   * ```ts
   * bot.message({ type: 'chat', body: /^roll (\d+)$/ }, (msg) => msg.reply(String(1 + Math.floor(Math.random() * Number(msg.match[1])))))
   * ```
   */
  message(handler: Handler<MessageContext>): this
  message<const G extends Guards<MessageContext, MessageField>>(
    guards: G & Exact<G, MessageField>,
    handler: Handler<Narrow<MessageContext, G>>,
  ): this
  message(...args: unknown[]): this {
    return this.#register('message', FIELDS.message, args)
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
  presence<const G extends Guards<PresenceContext, PresenceField>>(
    guards: G & Exact<G, PresenceField>,
    handler: Handler<Narrow<PresenceContext, G>>,
  ): this
  presence(...args: unknown[]): this {
    return this.#register('presence', FIELDS.presence, args)
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
    return this.#register('subscription', FIELDS.subscription, args)
  }

  /**
   * Handles IQ get and set requests. Return an element to send it as the result's payload; throw a
   * {@link StanzaError} to answer with that error. A request no handler takes is answered
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
    return this.#register('iq', FIELDS.iq, args)
  }

  /**
   * Handles roster pushes: a contact added, changed or removed on the server. The push is applied to
   * `bot.roster` and acknowledged before handlers run.
   *
   * @example
   * ```ts
   * bot.rosterPush({ subscription: 'both' }, (push) => bot.say(push.jid, 'Welcome aboard!'))
   * ```
   */
  rosterPush(handler: Handler<RosterContext>): this
  rosterPush<const G extends Guards<RosterContext, RosterField>>(
    guards: G & Exact<G, RosterField>,
    handler: Handler<Narrow<RosterContext, G>>,
  ): this
  rosterPush(...args: unknown[]): this {
    return this.#register('roster', FIELDS.roster, args)
  }

  /**
   * Registers a command. The spec is the name and its arguments: `<arg>` a required word, `[arg]` an
   * optional one, `<arg...>` or `[arg...]` the rest of the line; the handler gets them typed in
   * `cmd.args`. natter adds `help`, which lists the commands, and answers unknown commands with a
   * hint. In a 1:1 chat a command is just the message; in a room the bot must be addressed by nick
   * (`bot: help`, `bot, echo hi`) or with `commandPrefix`. Commands take all chat messages they
   * see: register free-text message handlers before them.
   *
   * @example
   * ```ts
   * bot.command('echo <text...>', 'Repeats the text', (cmd) => cmd.reply(cmd.args.text))
   * bot.command('kick <nick>', { description: 'Removes someone', admin: true }, (cmd) => kick(cmd.args.nick))
   * ```
   */
  command<const S extends string>(spec: S, description: string | CommandOptions, handler: Handler<CommandContext<CommandArgs<S>>>): this {
    if (!this.#commands) {
      this.#commands = new Commands()
      const commands = this.#commands
      this.message({ type: ['chat', 'normal', 'groupchat'], body: true }, (ctx, next) => this.#runCommand(commands, ctx, next))
    }
    const options = typeof description === 'string' ? { description } : description
    this.#commands.add(spec, options, handler as (ctx: CommandContext) => unknown)
    return this
  }

  /** Whether a JID (an occupant's real JID in rooms) belongs to one of the configured admins. */
  isAdmin(jid: string | undefined): boolean {
    if (jid === undefined) return false
    const bare = bareJid(jid)
    return (this.#options.admins ?? []).some((admin) => bareJid(admin) === bare)
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
    this.#router.use(middleware)
    return this
  }

  /**
   * Sets the one error hook: it gets every error a middleware or handler throws. Without it errors
   * are logged. Either way the bot goes on.
   *
   * @example
   * ```ts
   * bot.catch((error, ctx) => ctx.log.error({ err: error }, 'handler failed'))
   * ```
   */
  catch(hook: (error: unknown, ctx: StanzaContext) => unknown): this {
    this.#catch = hook
    return this
  }

  /**
   * Listens to a lifecycle event.
   *
   * @example
   * ```ts
   * bot.on('ready', ({ jid, resumed }) => bot.log.info({ jid, resumed }, 'online'))
   * ```
   */
  on<E extends keyof BotEvents>(event: E, listener: (info: BotEvents[E]) => unknown): this {
    let set = this.#listeners.get(event)
    if (!set) this.#listeners.set(event, (set = new Set()))
    set.add(listener as (info: never) => unknown)
    return this
  }

  /**
   * Sends any stanza. While the bot is offline it waits in the outbox and goes out once the bot is
   * back; the promise resolves when it is written, or rejects with an {@link UndeliveredError} when
   * natter gives up on it (outbox full, waited too long, bot stopped).
   *
   * @example
   * ```ts
   * await bot.send(xml('presence', { to: 'room@conference.example.org/bot' }))
   * ```
   */
  async send(stanza: XmlElement): Promise<void> {
    if (!this.#transport) throw new Error('the bot is not started')
    await (this.#outbox ?? this.#transport).send(stanza)
  }

  /**
   * Sends a text message.
   *
   * @example
   * ```ts
   * await bot.say('alice@example.org', 'Deploy finished')
   * ```
   */
  say(to: string, text: string, type: Exclude<MessageType, 'error'> = 'chat'): Promise<void> {
    return this.send(xml('message', { to, type }, xml('body', {}, text)))
  }

  /**
   * Sends an IQ request and resolves with the reply, which must come from the addressee. An error
   * reply rejects with a {@link StanzaError}; no reply within `timeout` ms rejects with
   * `remote-server-timeout`. Omit `to` to ask the bot's own server.
   *
   * @example
   * ```ts
   * const reply = await bot.request({ to: 'example.org', type: 'get', payload: xml('query', { xmlns: 'jabber:iq:version' }) })
   * ```
   */
  async request(options: { to?: string; type: 'get' | 'set'; payload: XmlElement; timeout?: number }): Promise<XmlElement> {
    const id = this.#requests.id()
    const reply = this.#requests.expect(id, options.to, options.timeout ?? 30_000)
    try {
      await this.send(xml('iq', { type: options.type, to: options.to, id }, options.payload))
    } catch (error) {
      this.#requests.cancel(id, error instanceof Error ? error : new Error(String(error)))
      reply.catch(() => {})
      throw error
    }
    return reply
  }

  /**
   * Pings a JID (XEP-0199), or the bot's server when `to` is omitted, and resolves with the round trip in ms.
   *
   * @example
   * ```ts
   * const ms = await bot.ping('alice@example.org/phone')
   * ```
   */
  async ping(to?: string, timeout = 10_000): Promise<number> {
    const started = performance.now()
    await this.request({ to, type: 'get', payload: xml('ping', { xmlns: 'urn:xmpp:ping' }), timeout })
    return performance.now() - started
  }

  /**
   * Sets the bot's own presence: `show` (undefined for plain available) and a status text. Kept and
   * sent again after every reconnect.
   *
   * @example
   * ```ts
   * await bot.setStatus('dnd', 'Deploying')
   * ```
   */
  async setStatus(show: Show | undefined, text?: string): Promise<void> {
    this.#status = { show, text }
    if (this.#transport?.online) await this.send(this.#presence())
    // A resumed session keeps its old presence on the server: the new one waits for the link.
    else this.#outbox?.send(this.#presence()).catch(() => {})
  }

  /**
   * Reads the settings, connects and logs in, retrying with backoff while the server is unreachable.
   * Resolves once online; rejects with a `ConfigError` for bad settings or a {@link FatalError} when
   * the login is refused.
   *
   * @example
   * ```ts
   * await bot.start()
   * await bot.say('alice@example.org', 'I am up')
   * ```
   */
  async start(overrides: { logLevel?: Settings['logLevel'] } = {}): Promise<void> {
    if (this.#session) throw new Error('the bot is already started')
    const settings = loadSettings(this.#options.env ?? process.env, this.#options)
    this.#answerBuiltins()
    this.#settings = settings
    this.#log.level = overrides.logLevel ?? settings.logLevel
    const transport = new Transport(
      {
        service: settings.service,
        domain: settings.jid.domain,
        username: settings.jid.local,
        password: settings.password,
        resource: settings.resource,
      },
      this.#log,
      (stanza) => this.#receive(stanza),
    )
    this.#transport = transport
    const liveness = { interval: settings.pingInterval * 1000, timeout: settings.pingTimeout * 1000 }
    const session = new Session(transport, this.#log, settings.jid.bare, this.#options.reconnect, liveness)
    this.#session = session
    const outbox = new Outbox(transport, (stanza, reason) => this.#undelivered(stanza, reason), this.#options.outbox)
    this.#outbox = outbox
    // Messages the server never acknowledged before a lost session go out again; the rest is reported.
    transport.on('undelivered', (stanza) => {
      if (stanza.name === 'message') outbox.retry(stanza)
      // The bot's own presence is sent again on the next session anyway.
      else if (!(stanza.name === 'presence' && stanza.attrs.to === undefined)) this.#undelivered(stanza, 'unacknowledged')
    })
    session.on('ready', (info) => {
      this.#log.info({ jid: info.jid, resumed: info.resumed }, info.resumed ? 'session resumed' : 'online')
      if (!info.resumed) {
        // Fetching the roster also makes the server push roster changes to this session.
        this.roster.load().catch((e: unknown) => this.#log.warn({ err: e }, 'cannot load the roster'))
        // Straight to the wire, ahead of anything the outbox holds.
        transport.send(this.#presence()).catch((e: unknown) => this.#log.warn({ err: e }, 'cannot send presence'))
      }
      if (!info.resumed && !this.#roomsJoined) {
        this.#roomsJoined = true
        for (const room of settings.rooms) {
          this.rooms.join(room.jid, { nick: room.nick }).catch((e: unknown) => this.#log.error({ room: room.jid, err: e }, 'cannot join room'))
        }
      }
      this.#emit('ready', info)
      void outbox.flush()
    })
    session.on('disconnected', (info) => this.#emit('disconnected', info))
    session.on('reconnecting', (info) => this.#emit('reconnecting', info))
    session.on('fatal', (error) => {
      this.#accepting = false
      outbox.close()
      this.#requests.rejectAll(error)
      this.#emit('error', error)
    })
    this.#accepting = true
    this.#log.info({ jid: settings.jid.bare, service: settings.service }, 'connecting')
    try {
      await session.start()
    } catch (error) {
      this.#accepting = false
      throw error
    }
  }

  /**
   * Registers work for the end of a shutdown, once running handlers are done and while the bot is
   * still online: leaving rooms, saying goodbye, saving state. Hooks run together and get what is
   * left of the shutdown deadline (at least 2 s); then the bot sends unavailable presence.
   *
   * @example
   * ```ts
   * bot.onShutdown(() => bot.say('ops@example.org', 'going down for a restart'))
   * ```
   */
  onShutdown(hook: () => unknown): this {
    this.#shutdownHooks.push(hook)
    return this
  }

  /**
   * Stops taking stanzas (the server keeps those that arrive now for the next session), lets running
   * handlers finish for up to `deadline` ms (default `SHUTDOWN_TIMEOUT`, 20 s), runs the
   * {@link Bot.onShutdown} hooks, says goodbye with unavailable presence and closes the stream.
   *
   * @example
   * ```ts
   * process.once('SIGUSR2', () => bot.stop())
   * ```
   */
  async stop(deadline = (this.#settings?.shutdownTimeout ?? 20) * 1000): Promise<void> {
    this.#accepting = false
    const session = this.#session
    if (!session) return
    session.holdInbound()
    const end = performance.now() + deadline
    if (this.#inflight.size > 0) {
      this.#log.info({ handlers: this.#inflight.size }, 'waiting for running handlers')
      if (!(await settleWithin(this.#inflight, deadline))) {
        this.#log.error({ handlers: this.#inflight.size }, 'shutdown deadline passed: abandoning running handlers')
      }
    }
    const hooks = this.#shutdownHooks.map((hook) =>
      Promise.resolve()
        .then(hook)
        .catch((e: unknown) => this.#log.error({ err: e }, 'shutdown hook failed')),
    )
    await settleWithin(hooks, Math.max(end - performance.now(), SHUTDOWN_HOOK_MIN_MS))
    // What handlers and hooks sent goes out before the goodbye; the rest is given up on.
    await this.#outbox?.flush()
    this.#outbox?.close()
    if (this.#transport?.online) await this.#transport.send(xml('presence', { type: 'unavailable' })).catch(() => {})
    this.#requests.rejectAll(new Error('the bot stopped'))
    await session.stop()
    this.#log.info('stopped')
  }

  /**
   * Runs the bot as a worker process: reads `-D`/`--help`/`--version`, loads `.env`, connects, and
   * exits with a clear line and code when it cannot go on. SIGTERM and SIGINT stop it cleanly.
   *
   * @example
   * ```ts
   * bot.run() // node dist/bot.js -D
   * ```
   */
  run(): void {
    runProcess(this).catch((error: unknown) => {
      this.#log.fatal({ err: error }, 'natter failed to run')
      process.exit(70)
    })
  }

  /**
   * @internal Connects a bot that was not started to an in-memory wire, and returns its inbound path.
   * The testing kit uses it; it has no place in a bot's own code.
   */
  static attachWire(bot: Bot, wire: Wire): { receive(stanza: XmlElement): IqAnswer | Promise<IqAnswer>; idle(): Promise<void> } {
    if (bot.#session || bot.#transport) throw new Error('the bot is already started')
    bot.#transport = wire
    bot.#answerBuiltins()
    bot.#accepting = true
    bot.#log.level = bot.#options.logLevel ?? 'silent'
    return {
      receive: (stanza) => bot.#receive(stanza),
      idle: async () => {
        while (bot.#inflight.size > 0) await Promise.allSettled([...bot.#inflight])
      },
    }
  }

  #undelivered(stanza: XmlElement, reason: UndeliveredReason): void {
    const { to, type, id } = stanza.attrs
    this.#log.warn({ stanza: stanza.name, to, type, id, reason }, 'stanza not delivered')
    this.#emit('undelivered', { stanza, reason })
  }

  #presence(): XmlElement {
    const { show, text } = this.#status
    return xml('presence', {}, show && xml('show', {}, show), text !== undefined && xml('status', {}, text))
  }

  #register(kind: keyof typeof FIELDS, fields: readonly string[], args: unknown[]): this {
    const [guards, handler] = args.length === 1 ? [undefined, args[0]] : args
    if (typeof handler !== 'function') throw new TypeError(`${kind}: the handler must be a function`)
    const matcher = guards === undefined ? () => true : compileGuards<StanzaContext>(kind, fields, guards)
    this.#router.add(kind, matcher, handler as Handler<StanzaContext>, guards)
    if (kind === 'iq') this.features.announce(guards)
    return this
  }

  #runCommand(commands: Commands, ctx: MessageContext & { body: string }, next: Next): Promise<void> {
    const room = ctx.room
    const sender = room === undefined ? ctx.from : this.rooms.occupants(room).find((o) => o.nick === ctx.nick)?.jid
    return commands.run(ctx, next, {
      prefix: this.#options.commandPrefix,
      nick: room === undefined ? undefined : this.rooms.nick(room),
      admin: this.isAdmin(sender),
    })
  }

  /** Takes one inbound stanza from the transport. Resolves IQ get/set with the answer to send. */
  #receive(stanza: XmlElement): IqAnswer | Promise<IqAnswer> {
    const type = stanza.attrs.type
    if (stanza.name === 'iq' && (type === 'result' || type === 'error')) {
      this.#requests.settle(stanza)
      return undefined
    }
    if (!this.#accepting) return stanza.name === 'iq' ? { error: new StanzaError('service-unavailable', 'cancel').toElement() } : undefined
    const ctx = this.#context(stanza)
    if (!ctx) return undefined
    const run = this.#track(this.#dispatch(ctx))
    return ctx instanceof IqContext ? run : undefined
  }

  /** Keeps a running dispatch in view, so shutdown can wait for it. */
  #track<T>(run: Promise<T>): Promise<T> {
    this.#inflight.add(run)
    run.finally(() => this.#inflight.delete(run)).catch(() => {})
    return run
  }

  #context(stanza: XmlElement): StanzaContext | undefined {
    switch (stanza.name) {
      case 'message': {
        this.rooms.observeMessage(stanza)
        const ctx = new MessageContext(stanza, this.#link)
        const receive = this.#options.receive
        const own = ctx.from === this.jid || (ctx.room !== undefined && ctx.nick === this.rooms.nick(ctx.room))
        if (own && !receive?.ownMessages) return undefined
        // Room history replayed on join is old news; 1:1 messages delayed by offline storage are not.
        if (ctx.type === 'groupchat' && ctx.delayed && !receive?.roomHistory) return undefined
        return ctx
      }
      case 'presence':
        return SUBSCRIPTION_TYPES.has(stanza.attrs.type ?? '')
          ? new SubscriptionContext(stanza, this.#link)
          : new PresenceContext(stanza, this.#link)
      case 'iq': {
        const query = stanza.getChildElements()[0]
        return query ? new IqContext(stanza, query, this.#link) : undefined
      }
      default:
        return undefined
    }
  }

  async #dispatch(ctx: StanzaContext): Promise<IqAnswer> {
    try {
      const outcome = await this.#router.dispatch(ctx)
      if (!(ctx instanceof IqContext)) return undefined
      if (!outcome.handled) return undefined
      return { result: isElement(outcome.value) ? outcome.value : undefined }
    } catch (error) {
      // A StanzaError thrown by an IQ handler is its answer; anywhere else it is a failure to report.
      if (!(error instanceof StanzaError && ctx instanceof IqContext)) this.#report(error, ctx)
      if (!(ctx instanceof IqContext)) return undefined
      return { error: (error instanceof StanzaError ? error : new StanzaError('internal-server-error', 'cancel')).toElement() }
    }
  }

  #report(error: unknown, ctx: StanzaContext): void {
    if (this.#catch) {
      try {
        const result = this.#catch(error, ctx)
        if (result instanceof Promise) result.catch((e: unknown) => this.#log.error({ err: e }, 'the error hook failed'))
        return
      } catch (hookError) {
        this.#log.error({ err: hookError }, 'the error hook failed')
      }
    }
    this.#log.error({ err: error, kind: ctx.kind, from: ctx.from, id: ctx.id }, `${ctx.kind} handler failed`)
  }

  #emit<E extends keyof BotEvents>(event: E, info: BotEvents[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        const result = (listener as (i: BotEvents[E]) => unknown)(info)
        if (result instanceof Promise) result.catch((e: unknown) => this.#log.error({ err: e, event }, 'event listener failed'))
      } catch (error) {
        this.#log.error({ err: error, event }, 'event listener failed')
      }
    }
  }
}

function isElement(value: unknown): value is XmlElement {
  return typeof value === 'object' && value !== null && typeof (value as XmlElement).getChildElements === 'function'
}

/**
 * Creates a bot. With no options it reads everything from the environment when started.
 *
 * @example
 * ```ts
 * import { createBot } from 'natter'
 * const bot = createBot()
 * bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
 * bot.run()
 * ```
 */
export function createBot(options?: BotOptions): Bot {
  return new Bot(options)
}
