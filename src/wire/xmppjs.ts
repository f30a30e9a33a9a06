// natter's gateway to xmpp.js 0.14: the client the wire runs on, and every patch natter makes to it. With
// src/xml.ts (the element model) and the two assemblies of xmpp.js's parts it patches (xmppjs-client.ts, the
// client; xmppjs-component.ts, a component), the only module that imports @xmpp/*; the rest of the wire sees
// XmlElement and the typed views below, so the quirks of xmpp.js stay here.
//
// | xmpp.js                                         | natter                                                                           |
// | ----------------------------------------------- | -------------------------------------------------------------------------------- |
// | @xmpp/client's assembly of every part           | replaced (xmppjs-client.ts): the parts natter uses, no WebSocket, no SASL code   |
// | TCP, TLS, STARTTLS, DNS SRV, the XML stream     | kept                                                                             |
// | the certificate's name over direct TLS          | fixed: the JID's domain (or XMPP_TLS_NAME), not the host connected to            |
// | stream features, resource binding               | kept                                                                             |
// | XEP-0198 enable and resume, resending on resume | kept                                                                             |
// | IQ caller and callee (replies, bad-request)     | kept; the bot's answers come in through the middleware's end (iq-bridge.ts)      |
// | reconnect                                       | left out (xmppjs-client.ts): the session retries with backoff (session.ts)       |
// | SASL and SASL2: choice, SCRAM, PLAIN            | replaced (stream-login.ts, login/), never loaded: xmpp.js logs in over cleartext |
// | ----------------------------------------------- | -------------------------------------------------------------------------------- |
// | send(), sendMany()                              | replaced by the transport's one writer: stream management queues each element    |
// | ----------------------------------------------- | -------------------------------------------------------------------------------- |
// | reading the socket                              | wrapped: a stanza growing past what any server relays, or one xmpp.js throws     |
// |                                                 | fed in pieces (parser-feed.ts): ltx scans a long text run quadratically          |
// | ----------------------------------------------- | -------------------------------------------------------------------------------- |
// | the middleware, for messages, presence, r, a    | bypassed (receiver.ts): a context, two JIDs parsed, a promise per layer, each    |
// | ----------------------------------------------- | -------------------------------------------------------------------------------- |
// | XEP-0198 inbound count `h`                      | replaced (ack-queue.ts): xmpp.js misses what its IQ handlers take, resets late   |
// | XEP-0198 outbound queueing, `<r/>` timers       | replaced (ack-queue.ts, liveness.ts): a price per stanza, and an unbounded queue |
// | XEP-0198 `<failed h/>`; a queue never resumable | fixed (ack-queue.ts): xmpp.js would resend what was delivered, keep what is lost |
// | disconnect()                                    | replaced by drop(), which keeps the session resumable                            |
// | closing a stream after a stream error           | fixed: a close that times out after the link was replaced leaves the new one be  |
// | hideSensitive() of @xmpp/debug                  | kept, for the `-D` log (redact.ts)                                               |
// | @xmpp/component (0.13 only, CommonJS)           | replaced: a component from the same 0.14 parts (xmppjs-component.ts)             |

import { isIP } from 'node:net'
import { Duplex } from 'node:stream'
import { checkServerIdentity, type PeerCertificate, TLSSocket } from 'node:tls'
import type { Client, LtxElement, XmppSocket } from '@xmpp/client-core'
import { hideSensitive } from '@xmpp/debug'
import type { Logger } from '../log/logger.js'
import { NS_STREAMS } from '../ns.js'
import { cutBelow, MAX_STANZA_DEPTH } from '../stanza-depth.js'
import type { XmlElement } from '../xml.js'
import { ParserFeed } from './parser-feed.js'
import { client } from './xmppjs-client.js'
import { component } from './xmppjs-component.js'

/** Where and as whom xmpp.js connects, and how much of one stanza it reads. */
export interface XmppJsOptions {
  service: string
  domain: string
  /** The name a direct TLS server's certificate must carry (RFC 7590: the JID's domain, unless configured). */
  tlsName: string
  username: string
  /** Empty: the server assigns one. */
  resource: string
  /** How many bytes of one stanza are read before the link is dropped. */
  maxInbound: number
  /** Connect as an external component (XEP-0114) of `domain` rather than as `username`. */
  component?: boolean
}

/** An error xmpp.js reports: a stream error carries its condition, a socket error its code. */
export interface XmppJsError extends Error {
  condition?: string
  text?: string
  /** The application-specific condition, if the error carries one. */
  application?: XmlElement
  code?: unknown
}

/** A stanza written and not yet acknowledged, as xmpp.js's stream management queues it. */
export interface QueuedStanza {
  stanza: XmlElement
  /** When it was written, in XEP-0203's form to the second: xmpp.js stamps a message it resends with it. */
  stamp: string
  /** Where it starts in the output, in characters (natter's addition). */
  start?: number
  /** When it was written, as `performance.now()` (natter's addition). */
  at?: number
}

/** xmpp.js's XEP-0198 state, the part natter keeps itself (see ack-queue.ts). */
export interface AckState {
  /** Whether the server enabled stream management on this stream. */
  readonly enabled: boolean
  /** Set once `<enable/>` is written: stanzas written from then on are queued for an ack. */
  enableSent: boolean
  /** The session's id when the server lets it be resumed, empty otherwise. */
  readonly id: string
  /** How many of the bot's stanzas the server has acknowledged: the `h` the queue starts at. */
  outbound: number
  /** What was written and not yet acknowledged, oldest first; xmpp.js replaces the array on resume. */
  outbound_q: QueuedStanza[]
}

/**
 * What xmpp.js's IQ callee makes its reply from: an `<error/>` element, an error reply; another element,
 * the result's child; `{}`, an empty result; nothing, `service-unavailable`.
 */
export type IqReply = XmlElement | Record<string, never> | undefined

/** What natter plugs into xmpp.js; the patched client calls these. */
export interface XmppJsHooks {
  /** Logs in over the stream negotiated so far, in place of xmpp.js; a rejection fails the negotiation. */
  logIn(): Promise<void>
  /** A component's login: the handshake (XEP-0114) for the stream the server opened as `streamId`. */
  handshake(streamId: string): Promise<void>
  /** Writes an element; xmpp.js's own (acks, IQ replies, the negotiation, a resumed session's stanzas) come here. */
  write(element: XmlElement): Promise<void>
  /** The server's `<stream:features/>`, before xmpp.js acts on them. */
  features(features: XmlElement): void
  /** Every element from the server, in order, before xmpp.js sees it; see {@link XmppJs.toMiddleware}. */
  receive(element: XmlElement): void
  /** XEP-0198's inbound `h`, which xmpp.js sends in `<resume/>`. */
  readonly received: number
  /** Bound as `jid`. */
  online(jid: string): void
  /** The previous session was resumed. */
  resumed(): void
  /** A stanza xmpp.js gave up on: its queue failed, a resume having failed or the client gone offline. */
  failed(stanza: XmlElement): void
  disconnected(reason: Error | undefined): void
  error(error: XmppJsError): void
  /** An IQ that reached the end of xmpp.js's middleware: a request none of its handlers answered, or a reply. */
  iq(iq: XmlElement): Promise<IqReply>
}

/** Where the `-D` log gets the wire's traffic. */
export interface WireTracer {
  in(element: XmlElement): void
  out(element: XmlElement): void
  status(status: string): void
}

/** The write of a net or tls socket, which @xmpp/tls's wrapper lacks. */
type WritableSocket = XmppSocket & { write?(data: string, done: (error?: Error | null) => void): void }

/**
 * One xmpp.js client, patched. `connect()` makes one attempt; deciding when to try again is the
 * session's job, so the client has no reconnect loop (xmppjs-client.ts).
 *
 * @example
 * ```ts
 * const xmpp = new XmppJs({ service, domain, username, resource: '', maxInbound: 16 << 20 }, log, hooks)
 * await xmpp.connect(30_000)
 * ```
 */
export class XmppJs {
  readonly #x: Client
  /** @xmpp/middleware's listener of incoming elements, taken off the client. */
  readonly #middleware: (element: LtxElement) => void
  /** Bytes read since the last complete element. */
  #unparsed = 0
  readonly #feed = new ParserFeed()

  constructor(
    private readonly options: XmppJsOptions,
    private readonly log: Logger,
    natter: XmppJsHooks,
  ) {
    const { service, domain } = options
    const x = options.component
      ? component({ service, domain, handshake: (streamId) => natter.handshake(streamId) })
      : client({
          service,
          domain,
          username: options.username,
          // natter logs in itself (see stream-login.ts): xmpp.js never holds the password.
          logIn: () => natter.logIn(),
          resource: options.resource || undefined,
        })
    this.#x = x
    // Taken before natter listens to anything itself, while the middleware's listeners are the only ones.
    this.#middleware = detachMiddleware(x)
    // natter's own liveness check replaces the <r/> timer of xmpp.js, which exists only with stream
    // management; natter still asks for an ack after each burst it sends (see ack-queue.ts).
    x.streamManagement.requestAckInterval = 0
    x.streamManagement.timeout = 0
    this.#patchWrites(natter)
    this.#patchReads()
    this.#patchDirectTls()
    this.#keepLateClosesOff()
    x.on('element', (element: LtxElement) => {
      this.#unparsed = 0
      if (element.is('features', NS_STREAMS)) natter.features(element)
      natter.receive(element)
    })
    // natter counts inbound stanzas itself (see receiver.ts); xmpp.js reads the count for <resume/>.
    Object.defineProperty(x.streamManagement, 'inbound', { get: () => natter.received, set: () => {}, configurable: true })
    // Nagle's algorithm holds the bot's small writes (a request, then its <r/>) for the server's delayed ACK: ~40 ms a request.
    x.on('connect', () => (this.stream as { setNoDelay?(on: boolean): unknown } | undefined)?.setNoDelay?.(true))
    x.on('online', (jid: { toString(): string }) => natter.online(jid.toString()))
    x.streamManagement.on('resumed', () => natter.resumed())
    x.streamManagement.on('fail', (stanza: LtxElement) => natter.failed(stanza))
    x.on('disconnect', (info?: { clean?: boolean; reason?: unknown }) => natter.disconnected(info?.reason instanceof Error ? info.reason : undefined))
    x.on('error', (error: XmppJsError) => natter.error(error))
    x.middleware.use(async (ctx) => (ctx.stanza.name === 'iq' ? natter.iq(ctx.stanza) : undefined))
  }

  /**
   * Every element goes out through natter's writer, xmpp.js's own ones (acks, IQ replies, the stream's
   * negotiation, a resumed session's stanzas) included, so that stream management queues each one as
   * it is written, in the order of the wire.
   */
  #patchWrites(natter: XmppJsHooks): void {
    const x = this.#x
    x.send = (element) => natter.write(element)
    x.sendMany = (elements) => Promise.all(elements.map((element) => natter.write(element))).then(() => undefined)
  }

  /**
   * After a stream error (a server's `system-shutdown`) xmpp.js closes the stream and waits up to its timeout
   * (the connect timeout, 30 s) for the server to close its side, then closes "the" socket. ejabberd drops the
   * link without closing the stream, and natter is connected again long before: that late close fell on the new
   * link, 30 s after the server's restart. A close whose link has been replaced is left unfinished.
   */
  #keepLateClosesOff(): void {
    const x = this.#x
    const closeStream = x._closeStream.bind(x)
    x._closeStream = (timeout) => {
      const socket = x.socket
      return closeStream(timeout).catch((error: unknown) => {
        if (x.socket !== null && x.socket !== socket) return new Promise(() => {})
        throw error
      })
    }
  }

  /**
   * Inbound, a stanza that keeps growing past what any server relays ends the link, and a throw from
   * xmpp.js over what a server sent (an address it cannot parse) ends it too instead of the process.
   */
  #patchReads(): void {
    const x = this.#x
    const parse = x._onData.bind(x)
    x._onData = (data: Buffer) => {
      this.#unparsed += data.length
      if (this.#unparsed > this.options.maxInbound) {
        this.log.warn({ bytes: this.#unparsed }, 'the server sent a stanza bigger than any server relays; dropping the link')
        this.drop().catch(() => {})
        return
      }
      try {
        for (const piece of this.#feed.cut(data)) parse(piece)
      } catch (error) {
        this.log.warn({ err: error }, 'cannot handle what the server sent; dropping the link')
        this.drop().catch(() => {})
      }
    }
  }

  /**
   * Over direct TLS, xmpp.js checks the certificate against the host it connects to (from DNS SRV or the
   * service), which a DNS answer or a relay chooses; the certificate must name the JID's domain instead
   * (RFC 6125, RFC 7590), as it must for STARTTLS.
   */
  #patchDirectTls(): void {
    const x = this.#x
    const parameters = x.socketParameters.bind(x)
    const name = this.options.tlsName
    x.socketParameters = (service: string) => {
      const socket = parameters(service)
      if (!socket || !service.startsWith('xmpps:')) return socket
      // SNI takes no IP address (RFC 6066); the check still does.
      return {
        ...socket,
        servername: isIP(name) ? undefined : name,
        checkServerIdentity: (_host: string, certificate: PeerCertificate) => checkServerIdentity(name, certificate),
      }
    }
  }

  /** `online` once bound; `closing` once the stream is being closed; `offline` at rest. */
  get status(): string {
    return this.#x.status
  }

  /** XEP-0198 as xmpp.js keeps it, for natter to keep in its stead. */
  get streamManagement(): AckState {
    return this.#x.streamManagement
  }

  /** The writable stream under xmpp.js's socket: the socket itself, or the tls socket inside @xmpp/tls's wrapper. */
  get stream(): Duplex | undefined {
    const socket = this.#x.socket
    if (socket instanceof Duplex) return socket
    const inner: unknown = socket?.socket
    return inner instanceof Duplex ? inner : undefined
  }

  /** The TLS socket under the stream, once it is encrypted (@xmpp/tls wraps it, for STARTTLS and xmpps://). */
  get tlsSocket(): TLSSocket | undefined {
    const socket = this.#x.socket
    const inner: unknown = socket?.socket
    if (inner instanceof TLSSocket) return inner
    return socket instanceof TLSSocket ? socket : undefined
  }

  /** Whether the socket is a TLS one (direct TLS, or after STARTTLS). */
  get secure(): boolean {
    return this.#x.isSecure()
  }

  get remoteAddress(): string | undefined {
    return (this.#x.socket as { remoteAddress?: string } | null)?.remoteAddress
  }

  /** Whether an element may be written: there is a socket, and, as xmpp.js has it, the stream is not closing (RFC 6120, 4.4). */
  get writable(): boolean {
    return Boolean((this.#x.socket as WritableSocket | null)?.write) && this.#x.status !== 'closing'
  }

  /**
   * Writes `text`, the element as it goes out, once {@link writable}; resolves once the socket took it.
   * Call {@link sent} after, as xmpp.js tells its listeners.
   */
  write(element: XmlElement, text: string): Promise<void> {
    const x = this.#x
    const socket = x.socket as WritableSocket
    ;(element as LtxElement).parent = x.root
    return new Promise<void>((resolve, reject) => {
      socket.write?.(text, (error) => (error ? reject(error) : resolve()))
    })
  }

  sent(element: XmlElement): void {
    this.#x.emit('send', element)
  }

  /**
   * Hands an element to xmpp.js's middleware, for what natter leaves to it (IQs, the negotiation).
   * Returns when the middleware has taken it, not when it is done.
   */
  toMiddleware(element: XmlElement): void {
    // xmpp.js answers a malformed IQ request itself, quoting its payload, and its serializer recurses.
    if (element.name === 'iq' && isMalformedRequest(element)) cutBelow(element, MAX_STANZA_DEPTH)
    try {
      this.#middleware(element as LtxElement)
    } catch (error) {
      // xmpp.js parses both addresses first, and throws on one it cannot parse (a bounce from `a@/x`).
      this.log.warn({ err: error, from: element.attrs.from, id: element.attrs.id }, 'ignored a stanza xmpp.js cannot handle')
    }
  }

  /** Reports an error as xmpp.js's middleware does: as the client's `error` event. */
  raise(error: unknown): void {
    this.#x.emit('error', error)
  }

  /** Calls `listener` with every element from the server that is not a stanza, until the returned function is called. */
  onNonza(listener: (element: XmlElement) => void): () => void {
    this.#x.on('nonza', listener)
    return () => this.#x.off('nonza', listener)
  }

  /** Shows the wire's traffic to `tracer`, from now on. */
  trace(tracer: WireTracer): void {
    this.#x.on('element', (element: LtxElement) => tracer.in(element))
    this.#x.on('send', (element: LtxElement) => tracer.out(element))
    this.#x.on('status', (status: string) => tracer.status(status))
  }

  /** Connects and opens the stream; `timeoutMs` bounds each step inside xmpp.js. */
  connect(timeoutMs: number): Promise<void> {
    const x = this.#x
    this.#unparsed = 0
    this.#feed.clear()
    // Also bounds each step inside xmpp.js, such as waiting for the server's stream header.
    x.timeout = timeoutMs
    return x.connect(this.options.service).then(() => x.open({ domain: this.options.domain }))
  }

  /**
   * Drops the link at once, without closing the stream, so the session can be resumed; resolves once
   * the socket is gone. (xmpp.js's disconnect() would close the stream first, which ends the session
   * on the server, and on a dead link waits seconds for an answer that never comes.)
   */
  async drop(): Promise<void> {
    const socket = this.#x.socket
    if (!socket) return
    const closed = new Promise<void>((resolve) => socket.once('close', resolve))
    if (destroy(socket)) await closed
  }

  /** Closes the stream cleanly, waiting at most `waitMs` per step (stream, then socket). */
  async close(waitMs: number): Promise<void> {
    const x = this.#x
    if (x.status === 'offline') return
    const socket = x.socket
    x.timeout = waitMs
    await x.stop().catch(() => {})
    // On timeout xmpp.js lets go of the socket without destroying it.
    if (socket) destroy(socket)
  }
}

/**
 * Hides SASL payloads in place, as xmpp.js's debug output does.
 *
 * @example
 * ```ts
 * log.debug({ xml: hideSaslPayloads(copyOf(auth)).toString() })
 * ```
 */
export function hideSaslPayloads(element: XmlElement): XmlElement {
  return hideSensitive(element as LtxElement)
}

/**
 * Takes @xmpp/middleware's listeners off the client, which right after `client()` are the only listeners
 * of `element` and `send`. Returns the incoming one, for what natter leaves to xmpp.js.
 */
function detachMiddleware(x: Client): (element: LtxElement) => void {
  const [incoming, ...others] = x.listeners('element')
  if (!incoming || others.length > 0 || x.listenerCount('send') !== 1) {
    throw new Error('unexpected xmpp.js: natter expects 0.14, whose middleware alone listens to "element" and "send"')
  }
  x.off('element', incoming as (element: LtxElement) => void)
  x.removeAllListeners('send')
  return incoming as (element: LtxElement) => void
}

/** An IQ request without exactly one payload or with a type other than get or set, which xmpp.js answers `bad-request`. */
function isMalformedRequest(iq: XmlElement): boolean {
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
