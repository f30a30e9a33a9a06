import { Composer } from '../dispatch/composer.js'
import type { MessageType } from '../dispatch/context/message.js'
import { type SayOptions, textMessage } from '../dispatch/context/outgoing-text.js'
import type { Show } from '../dispatch/context/presence.js'
import type { ContextLink } from '../dispatch/context/stanza-context.js'
import { Inbound } from '../dispatch/inbound.js'
import type { UndeliveredReason } from '../errors.js'
import type { IqAnswer } from '../iq-answer.js'
import { isDomainJid } from '../jid.js'
import { createLogger, type Logger, type LogLevel } from '../log/logger.js'
import { runProcess } from '../process/run-process.js'
import { coreSettingsTable, DEFAULT_SHUTDOWN_TIMEOUT } from '../settings/core-settings.js'
import { loadSettings, type Settings } from '../settings/settings.js'
import { Connection } from '../wire/connection.js'
import { type XmlElement, xml } from '../xml.js'
import type { CoreOptions, Env } from './core-options.js'
import type { BotEvents } from './events.js'
import { LifecycleHooks } from './lifecycle-hooks.js'
import { Listeners } from './listeners.js'
import { OwnPresence } from './own-presence.js'
import { PendingRequests } from './pending-requests.js'
import { NO_QUEUES, type Queues } from './queues.js'
import type { AttachedBot, Wire } from './wire.js'

/** Shutdown hooks get at least this long, even when handlers used up the deadline. */
const SHUTDOWN_HOOK_MIN_MS = 2_000

/**
 * The core of a bot: its lifecycle, sending, events and handler registration. Features (rooms,
 * roster, service discovery, ...) are plugins on top of it; `createBot()` installs the usual ones.
 *
 * @example
 * ```ts
 * const bot = createBot()
 * bot.subscription({ type: 'subscribe' }, (req) => req.approve())
 * bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
 * bot.run()
 * ```
 */
export class BotCore extends Composer {
  readonly #options: CoreOptions
  readonly #listeners = new Listeners<BotEvents>(() => this.#log)
  readonly #requests = new PendingRequests(() => this.jid)
  readonly #hooks = new LifecycleHooks()
  readonly #presence = new OwnPresence()
  readonly #inbound: Inbound
  #log: Logger
  #settings: Settings | undefined
  #wire: Wire | undefined
  /** The settings the bot reads, which `--help` lists: the core's, then those features add (`bot.settingsTable.add(WEATHER_KEY)`). */
  readonly settingsTable = coreSettingsTable()

  constructor(options: CoreOptions = {}) {
    super(options)
    this.#options = options
    this.#log = createLogger(options.logLevel ?? 'info', options.logDestination, process.stdout.isTTY === true && !process.env.CI)
    const bot = this
    const link: ContextLink = {
      get jid() {
        return bot.jid
      },
      get log() {
        return bot.#log
      },
      send: (stanza) => this.send(stanza),
    }
    this.#inbound = new Inbound(this.kinds, this.router, link, {
      reply: (stanza) => this.#requests.settle(stanza),
      failed: (error, ctx) => this.#listeners.emit('failed', { error, ctx, ref: this.reportFailure(error, ctx, this.#log) }),
      finished: (kind, ms, failed) => this.#listeners.emit('handled', { kind, ms, failed }),
    })
  }

  /** @internal The test kit's seam (`natter/testing`): starts the bot on `wire`, with no settings read and no server. */
  static attachWire(bot: BotCore, wire: Wire): AttachedBot {
    if (bot.#wire) throw new Error('the bot is already started')
    bot.#wire = wire
    bot.#log.level = bot.#options.logLevel ?? 'silent'
    bot.#hooks.runStart(bot.#options.env ?? {}).catch((e: unknown) => bot.#log.error({ err: e }, 'start hook failed'))
    bot.#inbound.accepting = true
    return {
      receive: (stanza, started) => bot.#receive(stanza, started),
      online: () => bot.#cameOnline({ jid: wire.jid, resumed: false }, (presence) => wire.send(presence)),
    }
  }

  /** The bot's logger (pino). */
  get log(): Logger {
    return this.#log
  }

  /** The bot's full JID once online; before that, the configured one. */
  get jid(): string {
    return this.#wire?.jid || this.#settings?.jid.full || ''
  }

  /** The validated settings, once `start()` has read them. */
  get settings(): Settings | undefined {
    return this.#settings
  }

  /** Whether the bot has a session with its server now. */
  get online(): boolean {
    return this.#wire?.online ?? false
  }

  /**
   * Whether the server enabled stream management (XEP-0198) on this session, so that a dropped link
   * is resumed without losing or doubling anything. Settles shortly after `ready`.
   *
   * @example
   * ```ts
   * bot.on('ready', () => setTimeout(() => bot.log.info({ resumable: bot.streamManagement }), 1_000))
   * ```
   */
  get streamManagement(): boolean {
    return this.#wire?.streamManagement ?? false
  }

  /**
   * How many stanzas wait to go out now: in the outbox while the link is down, in the write queue
   * while the server reads slower than the bot writes.
   *
   * @example
   * ```ts
   * if (bot.queues.outbox > 100) bot.log.warn(bot.queues, 'a backlog builds up while offline')
   * ```
   */
  get queues(): Queues {
    return this.#wire?.queues ?? NO_QUEUES
  }

  /**
   * Installs a feature and returns the bot with what the feature adds.
   *
   * @example
   * ```ts
   * const bot = createBot().install(uptime)
   * bot.uptime()
   * ```
   */
  install<E extends object>(plugin: (bot: this) => E | undefined): this & E {
    return Object.assign(this, plugin(this))
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
    this.#listeners.add(event, listener)
    return this
  }

  /**
   * Sends any stanza. While the bot is offline it waits in the outbox and goes out once the bot is
   * back; the promise resolves when it is written, or rejects with an `UndeliveredError` when
   * natter gives up on it (outbox full, waited too long, bot stopped).
   *
   * @example
   * ```ts
   * await bot.send(xml('presence', { to: 'room@conference.example.org/bot' }))
   * ```
   */
  async send(stanza: XmlElement): Promise<void> {
    if (!this.#wire) throw new Error('the bot is not started')
    this.#listeners.emit('stanza', { direction: 'out', name: stanza.name, type: stanza.attrs.type })
    await this.#wire.send(stanza)
  }

  /**
   * Sends a text message: a chat unless `options` give another type; they also say how it is shown.
   *
   * @example
   * ```ts
   * await bot.say('alice@example.org', 'Deploy finished')
   * await bot.say('team@conference.example.org', `New issue: ${title}`, { type: 'groupchat', unstyled: true })
   * ```
   */
  say(to: string, text: string, options: Exclude<MessageType, 'error'> | SayOptions = 'chat'): Promise<void> {
    return this.send(textMessage(to, text, options))
  }

  /**
   * Sends an IQ request and resolves with the reply, which must come from the addressee. An error
   * reply rejects with a `StanzaError`; no reply within `timeout` ms rejects with
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
    // The timeout may run out while the request still waits in the outbox for the link: the caller gets that
    // rejection from the returned promise, which it has not been handed yet.
    reply.catch(() => {})
    try {
      await this.send(xml('iq', { type: options.type, to: options.to, id }, options.payload))
    } catch (error) {
      this.#requests.cancel(id, error instanceof Error ? error : new Error(String(error)))
      throw error
    }
    return reply
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
    this.#presence.set(show, text)
    await this.refreshPresence()
  }

  /**
   * Runs a stanza through the bot as if it had just arrived: kinds, middleware, handlers. For features
   * that hold stanzas back and hand them in later; resolves once its handlers are done.
   *
   * @example
   * ```ts
   * await bot.dispatch(xml('message', { from: 'alice@example.org/phone', type: 'chat' }, xml('body', {}, 'hi')))
   * ```
   */
  async dispatch(stanza: XmlElement): Promise<void> {
    let run: Promise<unknown> | undefined
    const answer = this.#inbound.receive(stanza, (started) => (run = started))
    await (run ?? answer)
  }

  /**
   * Lets a feature add to the bot's own presence each time it goes out (once online, after a lost
   * session, on `setStatus`).
   *
   * @example
   * ```ts
   * bot.decoratePresence((presence) => presence.append(xml('c', { xmlns: 'http://jabber.org/protocol/caps', node, ver, hash: 'sha-1' })))
   * ```
   */
  decoratePresence(decorate: (presence: XmlElement) => void): this {
    this.#presence.decorate(decorate)
    return this
  }

  /**
   * Sends the bot's presence again, as it stands: after a presence decorator's state changed.
   *
   * @example
   * ```ts
   * await bot.refreshPresence()
   * ```
   */
  async refreshPresence(): Promise<void> {
    const sent = this.send(this.#presence.element())
    // Offline, it waits for the link (a resumed session keeps its old presence on the server): nobody awaits that.
    if (this.#wire?.online) await sent
    else sent.catch(() => {})
  }

  /**
   * Registers work for the very start of a shutdown, while the bot still takes stanzas: e.g. handing
   * its work to other processes. A hook that resolves `true` says others take over: stanzas that come
   * in from then on are acknowledged and left to them, instead of kept by the server for the bot's
   * next session.
   *
   * @example
   * ```ts
   * bot.onStopping(async () => { await announceLeaving(); return true })
   * ```
   */
  onStopping(hook: () => unknown): this {
    this.#hooks.stopping.push(hook)
    return this
  }

  /**
   * Registers work for the start of `start()`, once the settings are read and before connecting:
   * reading a feature's own settings (throw a `ConfigError` to refuse them), registering handlers
   * that must come after the bot's own. A hook that returns a promise (e.g. binding a port) is
   * waited for before connecting; a rejection fails `start()`.
   *
   * @example
   * ```ts
   * bot.onStart((env) => { if (!env.WEATHER_KEY) throw new ConfigError('WEATHER_KEY', 'missing') })
   * ```
   */
  onStart(hook: (env: Env) => unknown): this {
    this.#hooks.start.push(hook)
    return this
  }

  /**
   * Reads the settings, connects and logs in, retrying with backoff while the server is unreachable.
   * Resolves once online; rejects with a `ConfigError` for bad settings or a `FatalError` when the
   * login is refused.
   *
   * @example
   * ```ts
   * await bot.start()
   * await bot.say('alice@example.org', 'I am up')
   * ```
   */
  async start(overrides: { logLevel?: LogLevel } = {}): Promise<void> {
    if (this.#wire) throw new Error('the bot is already started')
    const env = this.#options.env ?? process.env
    const settings = loadSettings(env, this.#options)
    this.#settings = settings
    this.#log.level = overrides.logLevel ?? settings.logLevel
    await this.#hooks.runStart(env)
    const connection = new Connection(settings, this.#log, this.#options, {
      receive: (stanza) => this.#receive(stanza),
      undelivered: (stanza, reason) => this.#undelivered(stanza, reason),
    })
    this.#wire = connection
    connection.on('ready', (info) => {
      // Straight to the wire, ahead of anything the outbox holds.
      this.#cameOnline(info, (presence) => connection.sendNow(presence))
      void connection.flush()
    })
    connection.on('disconnected', (info) => this.#listeners.emit('disconnected', info))
    connection.on('reconnecting', (info) => this.#listeners.emit('reconnecting', info))
    connection.on('fatal', (error) => {
      this.#inbound.accepting = false
      this.#requests.rejectAll(error)
      this.#listeners.emit('error', error)
    })
    this.#inbound.accepting = true
    this.#log.info({ jid: settings.jid.bare, service: settings.service }, 'connecting')
    try {
      await connection.start()
    } catch (error) {
      this.#inbound.accepting = false
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
    this.#hooks.shutdown.push(hook)
    return this
  }

  /**
   * Stops taking stanzas (the server keeps those that arrive now for the next session), lets running
   * handlers finish for up to `deadline` ms (default: `SHUTDOWN_TIMEOUT`'s seconds), runs the
   * {@link BotCore.onShutdown} hooks, says goodbye with unavailable presence and closes the stream.
   *
   * @example
   * ```ts
   * process.once('SIGUSR2', () => bot.stop())
   * ```
   */
  async stop(deadline = (this.#settings?.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT) * 1000): Promise<void> {
    const wire = this.#wire
    if (!wire) {
      this.#inbound.accepting = false
      return
    }
    const end = performance.now() + deadline
    const handedOver = await this.#hooks.runStopping(deadline / 4, this.#log)
    this.#inbound.accepting = false
    if (!handedOver) wire.holdInbound()
    if (this.#inbound.running > 0) {
      this.#log.info({ handlers: this.#inbound.running }, 'waiting for running handlers')
      if (!(await this.#inbound.settle(deadline))) {
        this.#log.error({ handlers: this.#inbound.running }, 'shutdown deadline passed: abandoning running handlers')
      }
    }
    await this.#hooks.runShutdown(Math.max(end - performance.now(), SHUTDOWN_HOOK_MIN_MS), this.#log)
    // What handlers and hooks sent goes out before the goodbye; the rest is given up on.
    await wire.close(xml('presence', { type: 'unavailable' }))
    this.#requests.rejectAll(new Error('the bot stopped'))
    this.#log.info('stopped')
  }

  /**
   * Runs the bot as a worker process: reads `-D`/`--help`/`--version`, loads `.env`, connects, and
   * exits with a clear line and code when it cannot go on. SIGTERM and SIGINT stop it cleanly.
   *
   * @example
   * ```ts
   * bot.run() // node bot.ts -D
   * ```
   */
  run(): void {
    runProcess(this).catch((error: unknown) => {
      this.#log.fatal({ err: error }, 'natter failed to run')
      process.exit(70)
    })
  }

  /**
   * Keeps a piece of work in view, so that a shutdown waits for it like for a running handler.
   *
   * @example
   * ```ts
   * bot.track(saveState())
   * ```
   */
  track<T>(work: Promise<T>): Promise<T> {
    return this.#inbound.track(work)
  }

  #receive(stanza: XmlElement, started?: (run: Promise<unknown>) => void): IqAnswer | Promise<IqAnswer> {
    const { name, attrs } = stanza
    this.#listeners.emit('stanza', { direction: 'in', name, type: attrs.type })
    const answer = this.#inbound.receive(stanza, started)
    // The transport writes the answer to an IQ request.
    if (name === 'iq' && (attrs.type === 'get' || attrs.type === 'set')) this.#listeners.emit('stanza', { direction: 'out', name, type: undefined })
    return answer
  }

  /** A session is up: the bot's presence (unless the session was resumed, which kept it), then the `ready` listeners. */
  #cameOnline(info: BotEvents['ready'], sendPresence: (presence: XmlElement) => Promise<void>): void {
    this.#log.info({ jid: info.jid, resumed: info.resumed }, info.resumed ? 'session resumed' : 'online')
    if (!info.resumed && this.#options.presence !== false && !isDomainJid(info.jid)) {
      const presence = this.#presence.element()
      this.#listeners.emit('stanza', { direction: 'out', name: 'presence', type: undefined })
      sendPresence(presence).catch((e: unknown) => this.#log.warn({ err: e }, 'cannot send presence'))
    }
    this.#listeners.emit('ready', info)
  }

  #undelivered(stanza: XmlElement, reason: UndeliveredReason): void {
    const { to, type, id } = stanza.attrs
    this.#log.warn({ stanza: stanza.name, to, type, id, reason }, 'stanza not delivered')
    this.#listeners.emit('undelivered', { stanza, reason })
  }
}
