// The wire's face to the connection and the session: one account's link to its server, over xmpp.js
// (patched in xmppjs.ts). Here the link's life (connect, online, drop, close) and the way out; the parts
// it assembles do the rest: the ack queue, the receiver, the login, the IQ bridge, the stanza size limit.
import { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'
import { ConnectError, UndeliveredError } from '../errors.js'
import type { IqAnswer } from '../iq-answer.js'
import type { Logger } from '../log/logger.js'
import { NS_PING } from '../ns.js'
import type { Rate } from '../pacing/token-buckets.js'
import { type XmlElement, xml } from '../xml.js'
import { AckQueue, STANZAS } from './ack-queue.js'
import { classify, isTooBig } from './classify-error.js'
import { IqBridge, LIVENESS_PING_ID } from './iq-bridge.js'
import { ComponentHandshake } from './login/handshake.js'
import { Receiver } from './receiver.js'
import { StanzaLimit } from './stanza-limit.js'
import { StreamLogin } from './stream-login.js'
import { wireTrace } from './trace.js'
import { overBytes, WriteLane } from './write-lane.js'
import { XmppJs, type XmppJsError } from './xmppjs.js'

/** Where and as whom to connect. */
export interface TransportOptions {
  /** `xmpp://host:port`, `xmpps://host:port`, or a bare domain to resolve through DNS SRV. */
  service: string
  domain: string
  /** The name a direct TLS (xmpps://) server's certificate must carry. Default: `domain`. */
  tlsName?: string
  username: string
  password: string
  /** Empty: the server assigns one. */
  resource: string
  /** Connect as an external component (XEP-0114) of `domain`, `password` being its shared secret. */
  component?: boolean
  /** Allow logging in without TLS to a machine other than this one (`XMPP_ALLOW_INSECURE`). Default false. */
  allowInsecure?: boolean
  /** More names whose values the `-D` log hides (`LOG_SECRET_NAMES`). */
  secretNames?: readonly string[]
  /** Use -PLUS when offered (`XMPP_CHANNEL_BINDING`). Default true. */
  channelBinding?: boolean
  /** The largest stanza written, in bytes (`XMPP_MAX_STANZA_SIZE`); a server that says it takes less is believed. */
  maxStanzaSize: number
  /** How fast the bot's stanzas may go out (`XMPP_SEND_RATE`); without it, as fast as the server takes them. */
  sendRate?: Rate | undefined
}

export interface TransportEvents {
  /** Bound and ready; stream management, when offered, is already being enabled. */
  online: [jid: string, resumed: boolean]
  disconnect: [reason: Error | undefined]
  error: [error: Error]
  /**
   * An outbound stanza written to a session that ended, unresumed, before the server acknowledged it;
   * `sentAt` is when it was written, as `performance.now()`.
   */
  undelivered: [stanza: XmlElement, sentAt: number]
}

/**
 * How much of one stanza the bot reads before it gives up on a server, as a multiple of
 * `maxStanzaSize` (16 MiB by default): a server re-escapes what it relays (`>` becomes `&gt;`), so a
 * stanza within its limit arrives several times bigger, and what the server itself sends is not bound
 * by its limit at all: the roster of a bot with 100,000 contacts is some 10 MB.
 */
const INBOUND_FACTOR = 64
/** How long closing waits for the server to close its side, per step (stream, then socket). */
const CLOSE_WAIT_MS = 1_000

/**
 * A connection to an XMPP server for one account. `connect()` makes one attempt; deciding when to try
 * again is the session's job.
 */
export class Transport extends EventEmitter<TransportEvents> {
  readonly #xmpp: XmppJs
  readonly #options: TransportOptions
  readonly #lane: WriteLane
  readonly #acks: AckQueue
  readonly #receiver: Receiver
  readonly #login: StreamLogin
  readonly #handshake: ComponentHandshake
  readonly #iqs: IqBridge
  readonly #limit: StanzaLimit
  #jid = ''
  #pings = 0
  /** Between the `online` event natter emits and the next disconnect. */
  #announced = false
  /** The stream whose 'drain' the lane waits for, if any. */
  #draining: Duplex | undefined
  /** Set while `connect()` runs, so errors reach the attempt that caused them. */
  #connecting: ((error: ConnectError) => void) | undefined

  constructor(options: TransportOptions, log: Logger, onStanza: (stanza: XmlElement) => IqAnswer | Promise<IqAnswer>) {
    super()
    this.#options = options
    const transport = this
    this.#lane = new WriteLane(
      {
        get ready() {
          return transport.#ready()
        },
        write: (stanza, text) => this.#write(stanza, text),
      },
      { maxBytes: options.maxStanzaSize, rate: options.sendRate },
    )
    const { service, domain, username, resource, component } = options
    const tlsName = options.tlsName ?? domain
    const maxInbound = options.maxStanzaSize * INBOUND_FACTOR
    this.#xmpp = new XmppJs({ service, domain, tlsName, username, resource, maxInbound, component }, log, {
      logIn: () => this.#login.logIn(),
      handshake: (streamId) => this.#handshake.logIn(streamId),
      write: (element) => this.#write(element),
      features: (features) => {
        this.#login.offered(features)
        this.#limit.offered(features)
      },
      receive: (element) => this.#receiver.receive(element),
      get received() {
        return transport.#acks.received
      },
      online: (jid) => {
        this.#jid = jid
        this.#announce(false)
      },
      resumed: () => this.#announce(true),
      failed: (stanza) => this.emit('undelivered', stanza, performance.now()),
      disconnected: (reason) => this.#disconnected(reason),
      error: (error) => this.#failed(error),
      iq: (iq) => this.#iqs.answer(iq),
    })
    this.#acks = new AckQueue(this.#xmpp.streamManagement, {
      write: (element) => this.#write(element),
      acknowledged: () => this.#lane.wake(),
      undelivered: (stanza, sentAt) => this.emit('undelivered', stanza, sentAt),
    })
    this.#receiver = new Receiver(this.#xmpp, this.#acks, onStanza, log)
    this.#login = new StreamLogin(this.#xmpp, (element) => this.#write(element), options, log)
    this.#handshake = new ComponentHandshake(this.#xmpp, (element) => this.#write(element), options.password, log)
    this.#iqs = new IqBridge(onStanza, this.#lane, log)
    this.#limit = new StanzaLimit(options.maxStanzaSize, this.#lane, log)
    if (log.isLevelEnabled('debug')) this.#xmpp.trace(wireTrace(log, options.secretNames))
  }

  /** The full JID the server bound, once online. */
  get jid(): string {
    return this.#jid
  }

  /** Whether a stream is up and bound, and natter has announced it with `online`. */
  get online(): boolean {
    return this.#announced && this.#xmpp.status === 'online'
  }

  /** When the last element came in from the server, as `performance.now()`. */
  get lastActivity(): number {
    return this.#receiver.lastActivity
  }

  /** Whether the server agreed to stream management (XEP-0198) on this stream. */
  get streamManagement(): boolean {
    return this.#acks.enabled
  }

  /**
   * One attempt to connect, authenticate and bind (or resume), abandoned after `timeoutMs`, or once
   * the server has said nothing for `silenceMs`. Resolves with whether the previous session was
   * resumed; rejects with a {@link ConnectError}.
   */
  async connect(timeoutMs: number, silenceMs = timeoutMs): Promise<boolean> {
    await this.drop()
    const attempt = new AbortController()
    this.#login.begin(attempt.signal)
    this.#handshake.begin(attempt.signal)
    return new Promise<boolean>((resolve, reject) => {
      let silence: NodeJS.Timeout | undefined
      const done = (error: ConnectError | undefined, resumed = false): void => {
        attempt.abort(new Abandoned())
        clearTimeout(timer)
        clearTimeout(silence)
        this.off('online', onOnline)
        this.off('disconnect', onDisconnect)
        this.#connecting = undefined
        if (error) {
          this.drop().catch(() => {})
          reject(error)
        } else resolve(resumed)
      }
      const onOnline = (_jid: string, resumed: boolean): void => done(undefined, resumed)
      const onDisconnect = (reason: Error | undefined): void =>
        done(new ConnectError('network', `connection closed${reason ? `: ${reason.message}` : ''}`, { cause: reason }))
      const timer = setTimeout(() => done(new ConnectError('network', `not online after ${timeoutMs} ms`)), timeoutMs)
      // Logging in is a dialogue in which the server always has the next word: a long silence is a dead link.
      const receiver = this.#receiver
      receiver.lastActivity = performance.now()
      const watch = (): void => {
        const quiet = performance.now() - receiver.lastActivity
        if (quiet >= silenceMs) done(new ConnectError('network', `no answer from the server for ${silenceMs} ms`))
        else silence = setTimeout(watch, silenceMs - quiet)
      }
      silence = setTimeout(watch, silenceMs)
      this.#connecting = done
      this.on('online', onOnline)
      this.on('disconnect', onDisconnect)
      this.#xmpp.connect(timeoutMs).catch((error: unknown) => done(classify(error)))
    })
  }

  /** Stanzas written by `send()` that wait for their turn on the link. */
  get writeQueue(): number {
    return this.#lane.waiting
  }

  /**
   * Sends one of the bot's stanzas, after those already waiting, as fast as the server takes them and
   * at most at `sendRate`; resolves once written. Rejects when there is no stream (the caller keeps the
   * stanza), and with `UndeliveredError('too-big')` when it is bigger than the server takes.
   */
  send(stanza: XmlElement): Promise<void> {
    if (this.#xmpp.status !== 'online') return Promise.reject(new Error(`cannot send while ${this.#xmpp.status}`))
    // A component has no presence of its own (no account to broadcast it to): the bot's, and its goodbye, go nowhere.
    if (this.#options.component && stanza.name === 'presence' && stanza.attrs.to === undefined) return Promise.resolve()
    this.#stampFrom(stanza)
    return this.#lane.send(stanza)
  }

  /** Drops the link at once, without closing the stream, so the session can be resumed; resolves once the socket is gone. */
  drop(): Promise<void> {
    return this.#xmpp.drop()
  }

  /** Closes the stream cleanly, within about two seconds; the session cannot be resumed after this. */
  close(): Promise<void> {
    return this.#xmpp.close(CLOSE_WAIT_MS)
  }

  /**
   * Pings the server (XEP-0199). Its answer, like anything else that comes in, updates `lastActivity`. A
   * component pings its own domain: the server routes the ping back to it, a round trip through the server all the same.
   */
  ping(): void {
    const id = `${LIVENESS_PING_ID}${++this.#pings}`
    const ping = xml('iq', { type: 'get', to: this.#options.domain, id }, xml('ping', { xmlns: NS_PING }))
    this.#stampFrom(ping)
    this.#write(ping).catch(() => {})
  }

  /** Stops acknowledging inbound stanzas, for a shutdown; see {@link Receiver.hold}. */
  holdInbound(): void {
    this.#receiver.hold()
  }

  /**
   * Writes an element now, whatever waits in the lane; stream management queues a stanza as it is written.
   * A stanza over the size limit is refused here too, whoever made it: xmpp.js quotes a malformed request's
   * payload in its error reply, and a server ends the stream over a stanza too big for it.
   */
  #write(element: XmlElement, text = element.toString()): Promise<void> {
    const x = this.#xmpp
    if (!x.writable) return Promise.reject(new Error(`cannot send while ${x.status}`))
    if (STANZAS.has(element.name) && overBytes(text, this.#lane.maxBytes)) return Promise.reject(new UndeliveredError('too-big'))
    const written = x.write(element, text)
    this.#acks.queue(element, text.length)
    x.sent(element)
    return written
  }

  /**
   * A component's stanzas must say who sends them (XEP-0114), where a client's server writes the address
   * itself: one without a `from` comes from the component's domain. Replies to a stanza carry the address
   * it was sent to already (see the contexts' `send()`).
   */
  #stampFrom(stanza: XmlElement): void {
    if (this.#options.component && stanza.attrs.from === undefined) stanza.attrs.from = this.#options.domain
  }

  /**
   * Whether the lane may write the bot's next stanza: the socket's buffer has room, and with stream
   * management, what awaits the server's ack is within the window. One stanza may always be on its way.
   */
  #ready(): boolean {
    const x = this.#xmpp
    if (x.status !== 'online') return false
    const stream = x.stream
    if (!stream) return false
    if (stream.writableNeedDrain) {
      if (this.#draining !== stream) {
        this.#draining = stream
        stream.once('drain', () => {
          this.#draining = undefined
          this.#lane.wake()
        })
      }
      return false
    }
    return this.#acks.hasRoom()
  }

  // xmpp.js goes online before it sends <enable/> (and, on resume, a moment before its status says
  // so): wait a turn, so that whatever natter sends next is counted by stream management.
  #announce(resumed: boolean): void {
    setImmediate(() => {
      if (this.#xmpp.status !== 'online') return
      this.#announced = true
      this.emit('online', this.#jid, resumed)
    })
  }

  #disconnected(reason: Error | undefined): void {
    this.#announced = false
    this.#lane.fail(new Error('the link went down'))
    this.#acks.disconnected()
    this.emit('disconnect', reason)
  }

  #failed(error: XmppJsError): void {
    // The login of an attempt that has already ended, stopping as it should.
    if (error instanceof Abandoned) return
    if (isTooBig(error)) this.#limit.refused(this.#acks.biggestUnacknowledged())
    const classified = classify(error)
    if (this.#connecting && classified.reason !== 'network') this.#connecting(classified)
    else if (classified.reason === 'conflict') this.emit('error', classified)
    else this.emit('error', error)
  }
}

/** Why the login of an attempt stops once the attempt has ended (a timeout, a dropped link). */
class Abandoned extends Error {
  override readonly name = 'Abandoned'
  constructor() {
    super('connection attempt abandoned')
  }
}
