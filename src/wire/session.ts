import { EventEmitter } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { ConnectError, FatalError } from '../errors.js'
import { isDomainJid } from '../jid.js'
import type { Logger } from '../log/logger.js'
import { Backoff, type BackoffOptions } from './backoff.js'
import { Liveness, type LivenessOptions } from './liveness.js'
import type { Transport } from './transport.js'

/**
 * The reconnect policy: how long to wait between attempts, how long one attempt may take, and when
 * to stop trying. Every delay is in ms.
 *
 * @example
 * ```ts
 * createBot({ reconnect: { initialDelay: 500, maxDelay: 30_000, giveUpAfter: 15 * 60_000 } })
 * ```
 */
export interface ReconnectOptions extends BackoffOptions {
  /**
   * How long one connection attempt (TCP, TLS, login, bind or resume) may take. Default 30000. An
   * attempt also fails sooner when the server stays silent for `XMPP_PING_TIMEOUT` (at least 5 s).
   */
  connectTimeout?: number
  /** How long a session must last before the backoff starts again from its smallest delay. Default 60000. */
  stableAfter?: number
  /**
   * Give up once the bot has been offline this long, and fail with a {@link FatalError}
   * (`unreachable`; a bot started with `bot.run()` exits 69, so the platform restarts it).
   * Default: never give up.
   */
  giveUpAfter?: number
}

/**
 * A connection attempt fails once the server has been silent for the liveness timeout, but never sooner
 * than this: logging in takes the client some computing too.
 */
const CONNECT_SILENCE_MIN_MS = 5_000

export interface SessionEvents {
  ready: [info: { jid: string; resumed: boolean }]
  disconnected: [info: { error: Error | undefined }]
  reconnecting: [info: { attempt: number; delay: number }]
  fatal: [error: FatalError]
}

/**
 * Keeps one transport connected: pings a quiet link and drops it when the server stops answering,
 * retries with backoff while the server cannot be reached, and turns the failures that retrying
 * cannot fix (refused login, a server without TLS or that fails to prove itself, resource conflict,
 * offline for too long) into a `fatal` event.
 */
export class Session extends EventEmitter<SessionEvents> {
  readonly #backoff: Backoff
  readonly #liveness: Liveness
  readonly #connectTimeout: number
  readonly #stableAfter: number
  readonly #giveUpAfter: number | undefined
  /** How long a connection attempt may go without a word from the server. */
  readonly #connectSilence: number
  #running = false
  #connecting = false
  #stableTimer: NodeJS.Timeout | undefined
  #abort = new AbortController()
  /** Since when the bot has had no session, as `performance.now()`. */
  #offlineSince = 0
  /** Why natter dropped the link itself, for the `disconnected` event that follows. */
  #dropReason: Error | undefined

  constructor(
    private readonly transport: Transport,
    private readonly log: Logger,
    private readonly account: string,
    options: ReconnectOptions = {},
    liveness: LivenessOptions = { interval: 60_000, timeout: 10_000 },
  ) {
    super()
    this.#backoff = new Backoff(options)
    this.#connectTimeout = options.connectTimeout ?? 30_000
    this.#stableAfter = options.stableAfter ?? 60_000
    this.#giveUpAfter = options.giveUpAfter
    this.#connectSilence = Math.max(liveness.timeout, CONNECT_SILENCE_MIN_MS)
    this.#liveness = new Liveness(liveness, transport, () => {
      const seconds = liveness.timeout / 1000
      this.#dropReason = new Error(`no answer from the server within ${seconds} s of a ping: the link is dead`)
      this.log.warn(this.#dropReason.message)
      transport.drop().catch(() => {})
    })

    transport.on('online', (jid, resumed) => {
      clearTimeout(this.#stableTimer)
      this.#stableTimer = setTimeout(() => this.#backoff.reset(), this.#stableAfter).unref()
      this.#liveness.start()
      this.emit('ready', { jid, resumed })
    })
    transport.on('disconnect', (reason) => {
      clearTimeout(this.#stableTimer)
      this.#liveness.stop()
      const error = this.#dropReason ?? reason
      this.#dropReason = undefined
      if (!this.#running || this.#connecting) return
      this.#offlineSince = performance.now()
      this.log.warn({ err: error?.message }, 'disconnected from the server')
      this.emit('disconnected', { error })
      this.#connect(false).catch((e: unknown) => this.#fatal(e))
    })
    transport.on('error', (error) => {
      if (error instanceof ConnectError && error.reason === 'conflict') this.#fatal(error)
      else this.log.warn({ err: error.message }, 'connection error')
    })
  }

  /** Connects, retrying with backoff; resolves once online, rejects with a {@link FatalError}. */
  async start(): Promise<void> {
    this.#running = true
    this.#abort = new AbortController()
    this.#offlineSince = performance.now()
    try {
      await this.#connect(true)
    } catch (error) {
      this.#running = false
      throw this.#toFatal(error)
    }
  }

  /** Leaves inbound stanzas unacknowledged from now on; see {@link Transport.holdInbound}. */
  holdInbound(): void {
    this.transport.holdInbound()
  }

  /** Stops reconnecting and closes the stream. */
  async stop(): Promise<void> {
    this.#running = false
    this.#abort.abort()
    clearTimeout(this.#stableTimer)
    this.#liveness.stop()
    await this.transport.close()
  }

  /** Tries until online; only the very first attempt of all goes without a delay. */
  async #connect(now: boolean): Promise<void> {
    this.#connecting = true
    try {
      for (let first = now; ; first = false) {
        if (!first) await this.#pause()
        if (!this.#running) return
        try {
          await this.transport.connect(this.#connectTimeout, this.#connectSilence)
          return
        } catch (error) {
          if (!(error instanceof ConnectError) || error.reason !== 'network') throw error
          if (!this.#running) return
          this.log.warn({ err: error.message }, 'cannot connect')
        }
      }
    } finally {
      this.#connecting = false
    }
  }

  /** Waits out the next backoff delay, or throws once the bot has been offline for too long. */
  async #pause(): Promise<void> {
    const offline = performance.now() - this.#offlineSince
    let delay = this.#backoff.next()
    if (this.#giveUpAfter !== undefined) {
      if (offline >= this.#giveUpAfter) {
        throw new FatalError('unreachable', `${this.account}: no connection to the server for ${Math.round(offline / 1000)} s; giving up`)
      }
      delay = Math.min(delay, Math.ceil(this.#giveUpAfter - offline))
    }
    const attempt = this.#backoff.attempt
    this.log.info({ attempt, delay }, `reconnecting in ${delay} ms (attempt ${attempt})`)
    this.emit('reconnecting', { attempt, delay })
    await sleep(delay, undefined, { signal: this.#abort.signal }).catch(() => {})
  }

  #toFatal(error: unknown): FatalError {
    if (error instanceof FatalError) return error
    if (error instanceof ConnectError && error.reason === 'auth') {
      return new FatalError('auth', `login refused for ${this.account}: ${error.message}; check JID and JPASSWORD`, { cause: error })
    }
    if (error instanceof ConnectError && error.reason === 'tls') {
      return new FatalError('tls', `${this.account}: ${error.message}; if the server uses a private CA, point NODE_EXTRA_CA_CERTS at its certificate`, {
        cause: error,
      })
    }
    if (error instanceof ConnectError && error.reason === 'insecure') {
      return new FatalError('tls', `${this.account}: ${error.message}`, { cause: error })
    }
    if (error instanceof ConnectError && (error.reason === 'unsupported' || error.reason === 'server-auth')) {
      return new FatalError('auth', `${this.account}: ${error.message}`, { cause: error })
    }
    if (error instanceof ConnectError && error.reason === 'refused') {
      return new FatalError('refused', `${this.account}: ${error.message}`, { cause: error })
    }
    if (error instanceof ConnectError && error.reason === 'conflict') {
      // A server takes one connection per component domain: no resource tells two apart.
      const hint = isDomainJid(this.account) ? 'another connection serves this component domain' : 'give each process its own XMPP_RESOURCE'
      return new FatalError('conflict', `${this.account}: ${error.message}; ${hint}`, { cause: error })
    }
    return new FatalError('internal', error instanceof Error ? error.message : String(error), { cause: error })
  }

  #fatal(error: unknown): void {
    if (!this.#running) return
    this.#running = false
    this.#abort.abort()
    clearTimeout(this.#stableTimer)
    this.#liveness.stop()
    this.transport.close().catch(() => {})
    this.emit('fatal', this.#toFatal(error))
  }
}
