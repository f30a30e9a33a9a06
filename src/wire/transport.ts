// The one module that touches @xmpp/*: a small typed adapter over @xmpp/client. Everything else in
// natter sees XmlElement, Transport and plain events, so the quirks of xmpp.js stay in this file.
import { EventEmitter } from 'node:events'
import { Duplex } from 'node:stream'
import { TLSSocket } from 'node:tls'
import { type Client, client, type LtxElement, xml as ltxXml, type XmppError, type XmppSocket } from '@xmpp/client'
import { hideSensitive } from '@xmpp/debug'
import { ConnectError, StanzaError, UndeliveredError } from '../errors.js'
import type { IqAnswer } from '../iq-answer.js'
import type { Logger } from '../log/logger.js'
import { NS_ERRORS, NS_PING, NS_SASL, NS_SASL2, NS_SM, NS_STREAM_LIMITS } from '../ns.js'
import type { Rate } from '../pacing/token-buckets.js'
import { cutBelow, MAX_STANZA_DEPTH } from '../stanza-depth.js'
import type { XmlElement } from '../xml.js'
import { AckWindow } from './ack-window.js'
import { channelBindings } from './login/channel-binding.js'
import { beginLogin, converse, SaslInbox } from './login/sasl.js'
import { redactedXml } from './redact.js'
import { ReplayFilter } from './replay-filter.js'
import { overBytes, WriteLane } from './write-lane.js'

/** Where and as whom to connect. */
export interface TransportOptions {
  /** `xmpp://host:port`, `xmpps://host:port`, or a bare domain to resolve through DNS SRV. */
  service: string
  domain: string
  username: string
  password: string
  /** Empty: the server assigns one. */
  resource: string
  /** Allow logging in without TLS to a machine other than this one (`XMPP_ALLOW_INSECURE`). Default false. */
  allowInsecure?: boolean
  /** The largest stanza written, in bytes (`XMPP_MAX_STANZA_SIZE`); a server that says it takes less is believed. Default 262144. */
  maxStanzaSize?: number
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

const STANZAS = new Set(['message', 'presence', 'iq'])
const NS_STREAM = 'http://etherx.jabber.org/streams'
/** Outbound stanzas between natter's own requests for an ack (XEP-0198 `<r/>`). */
const ACK_EVERY = 100
/** The smallest and largest window of unacknowledged output, in characters (see {@link AckWindow}). */
const MIN_WINDOW_CHARS = 16 * 1024
const MAX_WINDOW_CHARS = 64 * 1024
/** The default of `maxStanzaSize`: what Prosody and ejabberd accept out of the box. */
export const DEFAULT_MAX_STANZA_SIZE = 256 * 1024
/**
 * How much of one stanza the bot reads before it gives up on a server, as a multiple of
 * `maxStanzaSize` (16 MiB by default): a server re-escapes what it relays (`>` becomes `&gt;`), so a
 * stanza within its limit arrives several times bigger, and what the server itself sends is not bound
 * by its limit at all: the roster of a bot with 100,000 contacts is some 10 MB.
 */
const INBOUND_FACTOR = 64
/** Room for the `<iq/>` around an answer's payload: two full JIDs and an id. */
const IQ_ENVELOPE = 4 * 1024
/** A pause in sending after which the server is asked for an ack, as xmpp.js does. */
const ACK_PAUSE_MS = 250
const PING_ID = 'natter-ping-'
/** How long closing waits for the server to close its side, per step (stream, then socket). */
const CLOSE_WAIT_MS = 1_000

/**
 * A connection to an XMPP server for one account. `connect()` makes one attempt; deciding when to try
 * again is the session's job, so the reconnect loop of xmpp.js is switched off.
 */
export class Transport extends EventEmitter<TransportEvents> {
  readonly #xmpp: Client
  readonly #options: TransportOptions
  readonly #replays = new ReplayFilter()
  #jid = ''
  #lastActivity = performance.now()
  #pings = 0
  /** Set by holdInbound(): inbound stanzas are no longer acknowledged. */
  #holding = false
  /** Between the `online` event natter emits and the next disconnect. */
  #announced = false
  /** Stanzas received since `<enabled/>`: XEP-0198's inbound `h`. */
  #received = 0
  /** When the last stanza was queued for an ack, as `performance.now()`. */
  #lastQueued = 0
  #ackPause: NodeJS.Timeout | undefined
  /** The second of the last timestamp made for the outbound queue, and its text. */
  #stampSecond = 0
  #stampText = ''
  /** Characters written since stream management began counting (where each queued stanza starts). */
  #sentChars = 0
  /** Stanzas and characters written since natter last asked for an ack. */
  #sinceAckRequest = 0
  #charsSinceAckRequest = 0
  readonly #lane: WriteLane
  readonly #window = new AckWindow(MIN_WINDOW_CHARS, MAX_WINDOW_CHARS)
  /** The stream whose 'drain' the lane waits for, if any. */
  #draining: Duplex | undefined
  /** The smallest limit a server has shown by refusing a stanza as too big; kept across connections. */
  #learnedLimit = Number.POSITIVE_INFINITY
  /** Bytes read since the last complete element. */
  #unparsed = 0

  constructor(
    options: TransportOptions,
    private readonly log: Logger,
    private readonly onStanza: (stanza: XmlElement) => IqAnswer | Promise<IqAnswer>,
  ) {
    super()
    this.#options = options
    const transport = this
    this.#lane = new WriteLane(
      {
        get ready() {
          return transport.#ready()
        },
        write: (stanza, text) => this.#write(stanza as unknown as LtxElement, text),
      },
      { maxBytes: options.maxStanzaSize ?? DEFAULT_MAX_STANZA_SIZE, rate: options.sendRate },
    )
    this.#xmpp = client({
      service: options.service,
      domain: options.domain,
      username: options.username,
      // natter logs in itself (see #logIn): xmpp.js never holds the password.
      credentials: () => this.#logIn(),
      resource: options.resource || undefined,
    })
    // Taken before natter listens to anything itself, while the middleware's listeners are the only ones.
    const middleware = detachMiddleware(this.#xmpp)
    this.#xmpp.reconnect.stop()
    this.#wireLogin()
    // natter's own liveness check replaces the <r/> timer of xmpp.js, which exists only with stream
    // management; natter still asks for an ack after each burst it sends (see #queueForAck).
    this.#xmpp.streamManagement.requestAckInterval = 0
    this.#xmpp.streamManagement.timeout = 0
    this.#wireWrites()
    this.#wire(middleware)
  }

  /**
   * Every element goes out through {@link #write}, xmpp.js's own ones (acks, IQ replies, the
   * stream's negotiation, a resumed session's stanzas) included, so that stream management queues
   * each one as it is written, in the order of the wire. Inbound, a stanza that keeps growing past
   * what any server relays ends the link, and a throw from xmpp.js over what a server sent (an
   * address it cannot parse) ends it too instead of the process.
   */
  #wireWrites(): void {
    const x = this.#xmpp
    x.send = (element) => this.#write(element)
    x.sendMany = (elements) => Promise.all(elements.map((element) => this.#write(element))).then(() => undefined)
    const parse = x._onData.bind(x)
    x._onData = (data: Buffer) => {
      this.#unparsed += data.length
      const limit = this.#options.maxStanzaSize ?? DEFAULT_MAX_STANZA_SIZE
      if (this.#unparsed > limit * INBOUND_FACTOR) {
        this.log.warn({ bytes: this.#unparsed }, 'the server sent a stanza bigger than any server relays; dropping the link')
        this.drop().catch(() => {})
        return
      }
      try {
        parse(data)
      } catch (error) {
        this.log.warn({ err: error }, 'cannot handle what the server sent; dropping the link')
        this.drop().catch(() => {})
      }
    }
  }

  /**
   * Writes an element now, whatever waits in the lane; stream management queues a stanza as it is written.
   * A stanza over the size limit is refused here too, whoever made it: xmpp.js quotes a malformed request's
   * payload in its error reply, and a server ends the stream over a stanza too big for it.
   */
  #write(element: LtxElement, text = element.toString()): Promise<void> {
    const x = this.#xmpp
    const socket = x.socket as (XmppSocket & { write?(data: string, done: (error?: Error | null) => void): void }) | null
    // As xmpp.js: nothing more once the stream is closing (RFC 6120, 4.4).
    if (!socket?.write || x.status === 'closing') return Promise.reject(new Error(`cannot send while ${x.status}`))
    if (STANZAS.has(element.name) && overBytes(text, this.#lane.maxBytes)) return Promise.reject(new UndeliveredError('too-big'))
    element.parent = x.root
    const written = new Promise<void>((resolve, reject) => {
      socket.write?.(text, (error) => (error ? reject(error) : resolve()))
    })
    this.#queueForAck(element, text.length)
    x.emit('send', element)
    return written
  }

  /**
   * Whether the lane may write the bot's next stanza: the socket's buffer has room, and with stream
   * management, what awaits the server's ack is within the window. One stanza may always be on its way.
   */
  #ready(): boolean {
    const x = this.#xmpp
    if (x.status !== 'online') return false
    const stream = streamOf(x.socket)
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
    const sm = x.streamManagement
    const first = sm.outbound_q[0]
    if (!sm.enabled || !first) return true
    if (this.#sentChars - (first.start ?? 0) < this.#window.size) return true
    this.#window.blocked()
    return false
  }

  /**
   * The server acknowledged the bot's stanzas up to `h` (XEP-0198 `<a/>`): off the queue of what may
   * have to be resent, all at once (xmpp.js shifts them one by one, each with an event), and the lane
   * may go on.
   */
  #acknowledged(h: number): void {
    const sm = this.#xmpp.streamManagement
    if (!sm.enabled || !Number.isInteger(h)) return
    const acked = Math.min(Math.max(h - sm.outbound, 0), sm.outbound_q.length)
    sm.outbound_q.splice(0, acked)
    sm.outbound += acked
    this.#window.acknowledged(sm.outbound_q[0]?.start ?? this.#sentChars)
    this.#lane.wake()
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
    return this.#lastActivity
  }

  /** Aborted once the current connection attempt has ended, either way: its login must stop where it is. */
  #attempt: AbortSignal = AbortSignal.abort()
  /** The last `<stream:features/>`, which offered the SASL mechanisms #logIn picks from. */
  #features: LtxElement | undefined

  /**
   * natter runs the SASL dialogue itself (wire/login/sasl.ts), where it decides whether the link is good enough
   * to log in over and checks the server's proof: xmpp.js 0.14 logs in over cleartext, ignores the SCRAM
   * server signature, and knows neither SCRAM-SHA-256 nor channel binding.
   */
  #wireLogin(): void {
    const x = this.#xmpp
    x.prependListener('element', (element: LtxElement) => {
      if (!element.is('features', NS_STREAM)) return
      // xmpp.js would take SASL2 (XEP-0388) first, which goes around natter's dialogue.
      element.children = element.children.filter((c) => typeof c === 'string' || !c.is('authentication', NS_SASL2))
      this.#features = element
      // XEP-0478: the server may say how big a stanza it takes.
      const advertised = Number(element.getChild('limits', NS_STREAM_LIMITS)?.getChildText('max-bytes') ?? Number.NaN)
      const configured = Math.min(this.#options.maxStanzaSize ?? DEFAULT_MAX_STANZA_SIZE, this.#learnedLimit)
      this.#lane.maxBytes = Number.isInteger(advertised) && advertised > 0 ? Math.min(configured, advertised) : configured
      // xmpp.js calls #logIn only if its factory lists an offered mechanism: list them all, natter decides.
      const offered = element.getChild('mechanisms', NS_SASL)?.getChildren('mechanism', NS_SASL) ?? []
      x.saslFactory._mechs = offered.map((m) => ({ name: m.text() }))
    })
  }

  /** Logs in over the stream xmpp.js has negotiated so far; a rejection stops the attempt before any bind. */
  async #logIn(): Promise<void> {
    const x = this.#xmpp
    const signal = this.#attempt
    const socket = x.socket
    const tls = tlsSocketOf(socket)
    const { service, username, password } = this.#options
    if (!this.#features) throw new ConnectError('server-auth', `${service} asked for a login without offering one`)
    const exchange = beginLogin(
      {
        service,
        features: this.#features as unknown as XmlElement,
        secure: x.isSecure(),
        remoteAddress: (socket as { remoteAddress?: string } | null)?.remoteAddress,
        allowInsecure: this.#options.allowInsecure ?? false,
        bindings: tls ? channelBindings(tls) : [],
      },
      { username, password },
      signal,
    )
    if (exchange.protection === 'insecure') {
      this.log.warn({ service }, 'logging in without TLS (XMPP_ALLOW_INSECURE): the login and every message can be read and changed on the way')
    }
    this.log.debug({ mechanism: exchange.mechanism, channelBinding: exchange.channelBinding, protection: exchange.protection }, 'logging in')
    const inbox = new SaslInbox(signal)
    const onNonza = (element: LtxElement): void => {
      if (element.getNS() === NS_SASL) inbox.push(element as unknown as XmlElement)
    }
    x.on('nonza', onNonza)
    try {
      await converse(exchange, { send: (element) => x.send(element as unknown as LtxElement), receive: () => inbox.receive() })
    } finally {
      x.off('nonza', onNonza)
      inbox.close()
    }
  }

  /**
   * One attempt to connect, authenticate and bind (or resume), abandoned after `timeoutMs`, or once
   * the server has said nothing for `silenceMs`. Resolves with whether the previous session was
   * resumed; rejects with a {@link ConnectError}.
   */
  async connect(timeoutMs: number, silenceMs = timeoutMs): Promise<boolean> {
    const x = this.#xmpp
    await this.drop()
    this.#unparsed = 0
    // Also bounds each step inside xmpp.js, such as waiting for the server's stream header.
    x.timeout = timeoutMs
    const attempt = new AbortController()
    this.#attempt = attempt.signal
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
      this.#lastActivity = performance.now()
      const watch = (): void => {
        const quiet = performance.now() - this.#lastActivity
        if (quiet >= silenceMs) done(new ConnectError('network', `no answer from the server for ${silenceMs} ms`))
        else silence = setTimeout(watch, silenceMs - quiet)
      }
      silence = setTimeout(watch, silenceMs)
      this.#connecting = done
      this.on('online', onOnline)
      this.on('disconnect', onDisconnect)
      x.connect(this.#options.service)
        .then(() => x.open({ domain: this.#options.domain }))
        .catch((error: unknown) => done(classify(error)))
    })
  }

  /** Set while `connect()` runs, so errors reach the attempt that caused them. */
  #connecting: ((error: ConnectError) => void) | undefined

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
    return this.#lane.send(stanza)
  }

  /**
   * Drops the link at once, without closing the stream, so the session can be resumed; resolves once
   * the socket is gone. (xmpp.js's disconnect() would close the stream first, which ends the session
   * on the server, and on a dead link waits seconds for an answer that never comes.)
   */
  async drop(): Promise<void> {
    const socket = this.#xmpp.socket
    if (!socket) return
    const closed = new Promise<void>((resolve) => socket.once('close', resolve))
    if (destroy(socket)) await closed
  }

  /** Closes the stream cleanly, within about two seconds; the session cannot be resumed after this. */
  async close(): Promise<void> {
    const x = this.#xmpp
    if (x.status === 'offline') return
    const socket = x.socket
    x.timeout = CLOSE_WAIT_MS
    await x.stop().catch(() => {})
    // On timeout xmpp.js lets go of the socket without destroying it.
    if (socket) destroy(socket)
  }

  /** Pings the server (XEP-0199). Its answer, like anything else that comes in, updates `lastActivity`. */
  ping(): void {
    const id = `${PING_ID}${++this.#pings}`
    const ping = ltxXml('iq', { type: 'get', to: this.#options.domain, id }, ltxXml('ping', { xmlns: NS_PING }))
    this.#write(ping).catch(() => {})
  }

  /**
   * Stops acknowledging inbound stanzas, for a shutdown: they still reach the bot, which refuses
   * them, and once the stream is closed the server treats them as never delivered (Prosody stores
   * messages for the account's next session) instead of losing them.
   */
  holdInbound(): void {
    this.#holding = true
  }

  /** Whether the server agreed to stream management (XEP-0198) on this stream. */
  get streamManagement(): boolean {
    return this.#xmpp.streamManagement.enabled
  }

  /**
   * Every element from the server, in order. XEP-0198's `h` counts the stanzas received since
   * `<enabled/>`. xmpp.js counts in a middleware that runs after its IQ caller and callee, so stanzas
   * they consume are missed, and resets the count a few microtasks after `<enabled/>`, so stanzas parsed
   * from the same chunk are lost: either way a resumed session gets stanzas again that the bot already
   * handled. natter counts here instead, before anything handles the element, and xmpp.js reads it.
   *
   * xmpp.js runs every element through its middleware: a context with both JIDs parsed (each checked
   * for XEP-0106 escapes: a tenth of a bare xmpp.js bot's JavaScript time per echo), the chain composed
   * anew, a promise per layer.
   * Messages, presence and the server's ack requests need none of its layers (natter counts inbound
   * stanzas and checks liveness itself), so they skip it; IQs and other elements still go through it.
   */
  #receive(element: LtxElement, middleware: (element: LtxElement) => void): void {
    this.#lastActivity = performance.now()
    this.#unparsed = 0
    const { name } = element
    if (STANZAS.has(name) && !this.#holding) this.#received += 1
    if (name === 'message' || name === 'presence') return this.#deliver(element)
    if (element.is('r', NS_SM)) {
      this.#write(ltxXml('a', { xmlns: NS_SM, h: this.#received })).catch(() => {})
      return
    }
    if (element.is('a', NS_SM)) return this.#acknowledged(Number(element.attrs.h))
    if (element.is('enabled', NS_SM)) this.#received = 0
    else if (element.is('failed', NS_SM)) this.#resumeFailed(element)
    // xmpp.js answers a malformed IQ request itself, quoting its payload, and its serializer recurses.
    if (name === 'iq' && isMalformedRequest(element)) cutBelow(element as unknown as XmlElement, MAX_STANZA_DEPTH)
    try {
      middleware(element)
    } catch (error) {
      // xmpp.js parses both addresses first, and throws on one it cannot parse (a bounce from `a@/x`).
      this.log.warn({ err: error, from: element.attrs.from, id: element.attrs.id }, 'ignored a stanza xmpp.js cannot handle')
    }
  }

  /**
   * When a resume fails, the server may say in `<failed h/>` how many of the bot's stanzas it got;
   * xmpp.js ignores that and reports them all as failed. Take the delivered ones off its queue first,
   * so that they are not sent twice.
   */
  #resumeFailed(failed: LtxElement): void {
    const sm = this.#xmpp.streamManagement
    const handled = Number(failed.attrs.h ?? Number.NaN)
    if (!sm.id || !Number.isInteger(handled)) return
    const delivered = Math.min(Math.max(handled - sm.outbound, 0), sm.outbound_q.length)
    sm.outbound_q.splice(0, delivered)
    sm.outbound += delivered
    this.#failUnacknowledged()
  }

  /** Reports what the server never acknowledged, with when it was written; xmpp.js then finds its queue empty. */
  #failUnacknowledged(): void {
    const sm = this.#xmpp.streamManagement
    for (const { stanza, at } of sm.outbound_q.splice(0)) this.emit('undelivered', stanza as unknown as XmlElement, at ?? performance.now())
    sm.outbound = 0
  }

  /**
   * The server ended the stream because a stanza was too big for it. The biggest one it did not
   * acknowledge is the one; from now on nothing that big is written, so that it is refused when it
   * comes up again instead of ending the next stream too.
   */
  #refusedAsTooBig(): void {
    let biggest = 0
    for (const { stanza } of this.#xmpp.streamManagement.outbound_q) biggest = Math.max(biggest, Buffer.byteLength(stanza.toString()))
    if (biggest === 0) return
    this.#learnedLimit = Math.min(this.#learnedLimit, biggest - 1)
    this.#lane.maxBytes = Math.min(this.#lane.maxBytes, this.#learnedLimit)
    this.log.warn({ bytes: biggest, limit: this.#lane.maxBytes }, 'the server refused a stanza as too big; nothing that big is sent again')
  }

  /** A message or presence, to the bot; a failure, like one in xmpp.js's middleware, is an `error` event. */
  #deliver(stanza: LtxElement): void {
    if (stanza.name === 'message' && !this.#holding && this.#replays.isReplay(stanza as unknown as XmlElement)) {
      this.log.info({ from: stanza.attrs.from, id: stanza.attrs.id }, 'ignored a message delivered again after a reconnect')
      return
    }
    try {
      const handled = this.onStanza(stanza as unknown as XmlElement)
      if (handled instanceof Promise) handled.catch((error: unknown) => this.#xmpp.emit('error', error))
    } catch (error) {
      this.#xmpp.emit('error', error)
    }
  }

  /**
   * Stream management's bookkeeping of what was sent, which xmpp.js does in its outbound middleware at a
   * price per stanza (two JIDs parsed, a timestamp formatted, two timers reset): natter keeps xmpp.js's
   * queue itself, which xmpp.js still acks, resends on resume and fails as before. It also asks for an
   * ack every ACK_EVERY stanzas, not only once sending pauses as xmpp.js does: under steady load the
   * queue would otherwise grow without bound, and the ack that finally came would shift that array one
   * item at a time (a sixth of an echo bot's CPU at a few thousand messages a second).
   */
  #queueForAck(element: LtxElement, chars: number): void {
    const sm = this.#xmpp.streamManagement
    // Stanzas sent between <enable/> and <enabled/> count too.
    if (element.is('enable', NS_SM)) sm.enableSent = true
    if (!STANZAS.has(element.name) || !(sm.enabled || sm.enableSent)) return
    const now = performance.now()
    sm.outbound_q.push({ stanza: element, stamp: this.#stamp(), start: this.#sentChars, at: now })
    this.#sentChars += chars
    this.#charsSinceAckRequest += chars
    // Several acks on their way per window, so that the window keeps moving.
    if (sm.enabled && (++this.#sinceAckRequest >= ACK_EVERY || this.#charsSinceAckRequest >= this.#window.size / 4)) this.#requestAck()
    this.#lastQueued = now
    this.#ackPause ??= setTimeout(() => this.#ackAfterPause(), ACK_PAUSE_MS).unref()
  }

  /** Asks for an ack once nothing was queued for ACK_PAUSE_MS; one timer, re-armed, not one per stanza. */
  #ackAfterPause(): void {
    const quiet = performance.now() - this.#lastQueued
    if (quiet < ACK_PAUSE_MS) {
      this.#ackPause = setTimeout(() => this.#ackAfterPause(), ACK_PAUSE_MS - quiet).unref()
      return
    }
    this.#ackPause = undefined
    const sm = this.#xmpp.streamManagement
    if (sm.enabled && sm.outbound_q.length > 0) this.#requestAck()
  }

  #requestAck(): void {
    this.#sinceAckRequest = 0
    this.#charsSinceAckRequest = 0
    this.#write(ltxXml('r', { xmlns: NS_SM })).catch(() => {})
  }

  /** XEP-0203's form of now, to the second, as xmpp.js stamps what it may resend; made once a second. */
  #stamp(): string {
    const second = Math.floor(Date.now() / 1000)
    if (second !== this.#stampSecond) {
      this.#stampSecond = second
      this.#stampText = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`
    }
    return this.#stampText
  }

  #wire(middleware: (element: LtxElement) => void): void {
    const x = this.#xmpp
    const sm = x.streamManagement

    // xmpp.js goes online before it sends <enable/> (and, on resume, a moment before its status says
    // so): wait a turn, so that whatever natter sends next is counted by stream management.
    const announce = (resumed: boolean): void => {
      setImmediate(() => {
        if (x.status !== 'online') return
        this.#announced = true
        this.emit('online', this.#jid, resumed)
      })
    }
    x.on('online', (jid: { toString(): string }) => {
      this.#jid = jid.toString()
      announce(false)
    })
    sm.on('resumed', () => announce(true))
    Object.defineProperty(sm, 'inbound', { get: () => this.#received, set: () => {}, configurable: true })
    x.on('element', (element: LtxElement) => this.#receive(element, middleware))
    sm.on('fail', (stanza: LtxElement) => this.emit('undelivered', stanza as unknown as XmlElement, performance.now()))
    x.on('disconnect', (info?: { clean?: boolean; reason?: unknown }) => {
      this.#announced = false
      clearTimeout(this.#ackPause)
      this.#ackPause = undefined
      this.#lane.fail(new Error('the link went down'))
      // Without a session to resume (the link died before <enabled/>, or the server allows no resumption),
      // what stream management holds will never be resent; xmpp.js would keep it, and then fail the next
      // <enable/> over a queue that should be empty. Report it instead.
      if (!sm.id) this.#failUnacknowledged()
      const reason = info?.reason instanceof Error ? info.reason : undefined
      this.emit('disconnect', reason)
    })
    x.on('error', (error: XmppError) => {
      // The login of an attempt that has already ended, stopping as it should.
      if (error instanceof Abandoned) return
      if (isTooBigError(error)) this.#refusedAsTooBig()
      const classified = classify(error)
      if (this.#connecting && classified.reason !== 'network') this.#connecting(classified)
      else if (classified.reason === 'conflict') this.emit('error', classified)
      else this.emit('error', error)
    })

    x.middleware.use(async (ctx) => {
      const { stanza } = ctx
      if (stanza.name !== 'iq') return undefined
      if (stanza.attrs.id?.startsWith(PING_ID) && stanza.attrs.type !== 'get' && stanza.attrs.type !== 'set') {
        return undefined // the answer to a liveness ping
      }
      const answer = await this.onStanza(stanza as unknown as XmlElement)
      // The IQ callee of xmpp.js turns what this returns into the reply: an <error/> element becomes
      // an error reply, another element the result's child, any other truthy value an empty result.
      if (!answer) return undefined
      if ('error' in answer) return answer.error
      if (answer.result && overBytes(answer.result.toString(), this.#lane.maxBytes - IQ_ENVELOPE)) {
        this.log.warn({ from: stanza.attrs.from, id: stanza.attrs.id }, 'the answer to an IQ is bigger than the server takes; answering with an error')
        return new StanzaError('internal-server-error', 'cancel', 'the answer is bigger than the server takes').toElement()
      }
      return answer.result ?? {}
    })

    if (this.log.isLevelEnabled('debug')) {
      x.on('element', (element: LtxElement) => traceStanza(this.log, 'xmpp in', element))
      x.on('send', (element: LtxElement) => traceStanza(this.log, 'xmpp out', element))
      x.on('status', (status: string) => this.log.debug({ status }, 'xmpp status'))
    }
  }
}

/**
 * Takes @xmpp/middleware's listeners off the client, which right after `client()` are the only listeners
 * of `element` and `send`. Returns the incoming one, for what natter leaves to xmpp.js.
 */
function detachMiddleware(x: Client): (element: LtxElement) => void {
  const [incoming, ...others] = x.listeners('element')
  if (!incoming || others.length > 0 || x.listenerCount('send') !== 1) {
    throw new Error('unexpected @xmpp/client: natter expects 0.14, whose middleware alone listens to "element" and "send"')
  }
  x.off('element', incoming as (element: LtxElement) => void)
  x.removeAllListeners('send')
  return incoming as (element: LtxElement) => void
}

/** Logs a stanza at debug level; logging must never break the stream, whatever came in. */
function traceStanza(log: Logger, direction: string, element: LtxElement): void {
  try {
    log.debug({ xml: redact(element as unknown as XmlElement) }, direction)
  } catch (error) {
    log.debug({ err: error }, `${direction}: cannot log this element`)
  }
}

/**
 * The element as one line of XML for `-D` logs: SASL payloads hidden as xmpp.js's debug output hides
 * them, and passwords and secret form fields as {@link redactedXml} does, at any depth.
 */
export function redact(element: XmlElement): string {
  return redactedXml(hideSensitive(topCopy(element as LtxElement)) as unknown as XmlElement)
}

/**
 * A copy of the element and of its children, which hiding rewrites in place, since the original is
 * still on its way; what lies deeper is shared, and only read.
 */
function topCopy(element: LtxElement): LtxElement {
  const copy = ltxXml(element.name, { ...element.attrs })
  copy.children = element.children.map((child) =>
    typeof child === 'string' ? child : Object.assign(ltxXml(child.name, { ...child.attrs }), { children: [...child.children] }),
  )
  return copy
}

/** Why the login of an attempt stops once the attempt has ended (a timeout, a dropped link). */
class Abandoned extends Error {
  override readonly name = 'Abandoned'
  constructor() {
    super('connection attempt abandoned')
  }
}

/** The TLS socket under the stream, once it is encrypted (@xmpp/tls wraps it, for STARTTLS and xmpps://). */
function tlsSocketOf(socket: XmppSocket | null): TLSSocket | undefined {
  const inner: unknown = socket?.socket
  if (inner instanceof TLSSocket) return inner
  return socket instanceof TLSSocket ? socket : undefined
}

/** The writable stream under xmpp.js's socket: the socket itself, or the tls socket inside @xmpp/tls's wrapper. */
function streamOf(socket: XmppSocket | null): Duplex | undefined {
  if (socket instanceof Duplex) return socket
  const inner: unknown = socket?.socket
  return inner instanceof Duplex ? inner : undefined
}

/**
 * A stream error over a stanza too big for the server: `policy-violation` with the text "XML stanza is
 * too big" from Prosody and ejabberd alike, and from Prosody also `<stanza-too-big xmlns='urn:xmpp:errors'/>`.
 */
function isTooBigError(error: XmppError): boolean {
  if (error?.name !== 'StreamError' || error.condition !== 'policy-violation') return false
  return error.application?.is('stanza-too-big', NS_ERRORS) === true || /too (big|large)|size/i.test(error.text ?? '')
}

/** An IQ request without exactly one payload or with a type other than get or set, which xmpp.js answers `bad-request`. */
function isMalformedRequest(iq: LtxElement): boolean {
  const { type } = iq.attrs
  if (type === 'result' || type === 'error') return false
  return (type !== 'get' && type !== 'set') || iq.getChildElements().length !== 1
}

/** Destroys the socket, or the tls socket inside @xmpp/tls's wrapper; false when there is none left. */
function destroy(socket: XmppSocket): boolean {
  const inner = socket.destroy ? socket : socket.socket
  inner?.destroy?.()
  return Boolean(inner)
}

function classify(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error
  const e = error as XmppError
  if (e?.name === 'SASLError') {
    return new ConnectError('auth', `authentication failed (${e.condition ?? 'unknown'})`, { cause: error })
  }
  if (e?.name === 'StreamError' && e.condition === 'conflict') {
    return new ConnectError('conflict', 'another connection took over this resource (stream conflict)', { cause: error })
  }
  const message = e instanceof Error ? e.message : String(error)
  if (TLS_TRUST_ERRORS.has((error as { code?: unknown })?.code as string)) {
    return new ConnectError('tls', `the server's TLS certificate is not trusted (${message})`, { cause: error })
  }
  return new ConnectError('network', message, { cause: error })
}

/** Certificate checks that fail the same way on every attempt, until someone changes the server or the trust store. */
const TLS_TRUST_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])
