import { EventEmitter } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { Backoff, type BackoffOptions } from './backoff.js'
import { FatalError } from './errors.js'
import type { Logger } from './log.js'
import { ConnectError, type Transport } from './transport.js'

/** How the session keeps the bot connected. */
export interface SessionOptions extends BackoffOptions {
  /** How long one connection attempt (TCP, TLS, login, bind) may take, in ms. Default 30000. */
  connectTimeout?: number
  /** How long a session must last before the backoff starts again from its smallest delay, in ms. Default 60000. */
  stableAfter?: number
}

export interface SessionEvents {
  ready: [info: { jid: string; resumed: boolean }]
  disconnected: [info: { error: Error | undefined }]
  reconnecting: [info: { attempt: number; delay: number }]
  fatal: [error: FatalError]
}

/**
 * Keeps one transport connected: retries with backoff while the server cannot be reached, and turns
 * the failures that retrying cannot fix (refused login, resource conflict) into a `fatal` event.
 */
export class Session extends EventEmitter<SessionEvents> {
  readonly #backoff: Backoff
  readonly #connectTimeout: number
  readonly #stableAfter: number
  #running = false
  #connecting = false
  #stableTimer: NodeJS.Timeout | undefined
  #abort = new AbortController()

  constructor(
    private readonly transport: Transport,
    private readonly log: Logger,
    private readonly account: string,
    options: SessionOptions = {},
  ) {
    super()
    this.#backoff = new Backoff(options)
    this.#connectTimeout = options.connectTimeout ?? 30_000
    this.#stableAfter = options.stableAfter ?? 60_000

    transport.on('online', (jid, resumed) => {
      clearTimeout(this.#stableTimer)
      this.#stableTimer = setTimeout(() => this.#backoff.reset(), this.#stableAfter).unref()
      this.emit('ready', { jid, resumed })
    })
    transport.on('disconnect', (error) => {
      clearTimeout(this.#stableTimer)
      if (!this.#running || this.#connecting) return
      this.log.warn({ err: error?.message }, 'disconnected from the server')
      this.emit('disconnected', { error })
      this.#connect().catch((e: unknown) => this.#fatal(e))
    })
    transport.on('error', (error) => {
      if (error instanceof ConnectError && error.kind === 'conflict') this.#fatal(error)
      else this.log.warn({ err: error.message }, 'connection error')
    })
  }

  /** Connects, retrying with backoff; resolves once online, rejects with a {@link FatalError}. */
  async start(): Promise<void> {
    this.#running = true
    this.#abort = new AbortController()
    try {
      await this.#connect()
    } catch (error) {
      this.#running = false
      throw this.#toFatal(error)
    }
  }

  /** Stops reconnecting and closes the stream. */
  async stop(): Promise<void> {
    this.#running = false
    this.#abort.abort()
    clearTimeout(this.#stableTimer)
    await this.transport.close()
  }

  async #connect(): Promise<void> {
    this.#connecting = true
    try {
      for (;;) {
        try {
          await this.transport.connect(this.#connectTimeout)
          return
        } catch (error) {
          if (!(error instanceof ConnectError) || error.kind !== 'network') throw error
          if (!this.#running) return
          const delay = this.#backoff.next()
          const attempt = this.#backoff.attempt
          this.log.warn({ attempt, delay, err: error.message }, `cannot connect; retrying in ${delay} ms`)
          this.emit('reconnecting', { attempt, delay })
          await sleep(delay, undefined, { signal: this.#abort.signal }).catch(() => {})
          if (!this.#running) return
        }
      }
    } finally {
      this.#connecting = false
    }
  }

  #toFatal(error: unknown): FatalError {
    if (error instanceof FatalError) return error
    if (error instanceof ConnectError && error.kind === 'auth') {
      return new FatalError('auth', `login refused for ${this.account}: ${error.message}; check JID and JPASSWORD`)
    }
    if (error instanceof ConnectError && error.kind === 'conflict') {
      return new FatalError('conflict', `${this.account}: ${error.message}; give each process its own XMPP_RESOURCE`)
    }
    return new FatalError('internal', error instanceof Error ? error.message : String(error))
  }

  #fatal(error: unknown): void {
    if (!this.#running) return
    this.#running = false
    this.#abort.abort()
    this.transport.close().catch(() => {})
    this.emit('fatal', this.#toFatal(error))
  }
}
