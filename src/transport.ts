// The one module that touches @xmpp/*: a small typed adapter over @xmpp/client. Everything else in
// natter sees XmlElement, Transport and plain events, so the quirks of xmpp.js stay in this file.
import { EventEmitter } from 'node:events'
import { type Client, client, type LtxElement, xml as ltxXml, type XmppError } from '@xmpp/client'
import { hideSensitive } from '@xmpp/debug'
import type { Logger } from './log.js'

/**
 * An XML element, as natter hands stanzas to handlers and takes them from {@link xml}.
 *
 * @example
 * ```ts
 * const body = ctx.stanza.getChildText('body')
 * ```
 */
export interface XmlElement {
  name: string
  attrs: Record<string, string | undefined>
  children: Array<XmlElement | string>
  is(name: string, xmlns?: string): boolean
  getNS(): string | undefined
  getChild(name: string, xmlns?: string): XmlElement | undefined
  getChildren(name: string, xmlns?: string): XmlElement[]
  getChildElements(): XmlElement[]
  getChildText(name: string, xmlns?: string): string | null
  getText(): string
  append(...children: Array<XmlElement | string>): XmlElement
  toString(): string
}

/** What {@link xml} accepts as children: elements, text, and nothing (skipped), nested freely. */
export type XmlChild = XmlElement | string | undefined | null | false | XmlChild[]

/**
 * Builds an XML element.
 *
 * @example
 * ```ts
 * bot.send(xml('message', { to: 'alice@example.org', type: 'chat' }, xml('body', {}, 'Hi!')))
 * ```
 */
export function xml(name: string, attrs?: Record<string, string | number | undefined> | null, ...children: XmlChild[]): XmlElement {
  return ltxXml(name, withoutUndefined(attrs), ...(children as Parameters<typeof ltxXml>[2][]))
}

function withoutUndefined(attrs: Record<string, string | number | undefined> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (attrs) for (const [key, value] of Object.entries(attrs)) if (value !== undefined) out[key] = String(value)
  return out
}

/** Where and as whom to connect. */
export interface TransportOptions {
  /** `xmpp://host:port`, `xmpps://host:port`, or a bare domain to resolve through DNS SRV. */
  service: string
  domain: string
  username: string
  password: string
  /** Empty: the server assigns one. */
  resource: string
}

/**
 * How the transport answers an inbound IQ get/set: with a result (and its optional child), or with an
 * `<error/>` element. `undefined` answers `service-unavailable`.
 */
export type IqAnswer = { result: XmlElement | undefined } | { error: XmlElement } | undefined

export interface TransportEvents {
  online: [jid: string, resumed: boolean]
  disconnect: [reason: Error | undefined]
  error: [error: Error]
  /** An outbound stanza that stream management reports as never delivered. */
  undelivered: [stanza: XmlElement]
}

/** Why a connection attempt failed. `auth` and `conflict` are final; retrying will not help. */
export class ConnectError extends Error {
  override readonly name = 'ConnectError'
  constructor(
    readonly kind: 'auth' | 'conflict' | 'network',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

const STANZAS = new Set(['message', 'presence', 'iq'])

/**
 * A connection to an XMPP server for one account. `connect()` makes one attempt; deciding when to try
 * again is the session's job, so the reconnect loop of xmpp.js is switched off.
 */
export class Transport extends EventEmitter<TransportEvents> {
  readonly #xmpp: Client
  readonly #options: TransportOptions
  #jid = ''

  constructor(
    options: TransportOptions,
    private readonly log: Logger,
    private readonly onStanza: (stanza: XmlElement) => IqAnswer | Promise<IqAnswer>,
  ) {
    super()
    this.#options = options
    this.#xmpp = client({
      service: options.service,
      domain: options.domain,
      username: options.username,
      password: options.password,
      resource: options.resource || undefined,
    })
    this.#xmpp.reconnect.stop()
    this.#wire()
  }

  /** The full JID the server bound, once online. */
  get jid(): string {
    return this.#jid
  }

  /** Whether a stream is up and bound. */
  get online(): boolean {
    return this.#xmpp.status === 'online'
  }

  /**
   * One attempt to connect, authenticate and bind (or resume). Resolves with whether the previous
   * session was resumed; rejects with a {@link ConnectError}.
   */
  async connect(timeoutMs: number): Promise<boolean> {
    const x = this.#xmpp
    if (x.status !== 'offline' && x.status !== 'disconnect') await this.drop()
    return new Promise<boolean>((resolve, reject) => {
      const done = (error: ConnectError | undefined, resumed = false): void => {
        clearTimeout(timer)
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

  /** Sends a stanza. Rejects when there is no stream. */
  async send(stanza: XmlElement): Promise<void> {
    if (this.#xmpp.status !== 'online') throw new Error(`cannot send while ${this.#xmpp.status}`)
    await this.#xmpp.send(stanza as unknown as LtxElement)
  }

  /** Drops the link without closing the stream, so the session can be resumed. */
  async drop(): Promise<void> {
    if (this.#xmpp.status === 'offline' || this.#xmpp.status === 'disconnect') return
    await this.#xmpp.disconnect().catch(() => {})
  }

  /** Closes the stream cleanly; the session cannot be resumed after this. */
  async close(): Promise<void> {
    if (this.#xmpp.status === 'offline') return
    await this.#xmpp.stop().catch(() => {})
  }

  /** Whether the server agreed to stream management (XEP-0198) on this stream. */
  get streamManagement(): boolean {
    return this.#xmpp.streamManagement.enabled
  }

  #wire(): void {
    const x = this.#xmpp
    const sm = x.streamManagement

    x.on('online', (jid: { toString(): string }) => {
      this.#jid = jid.toString()
      this.emit('online', this.#jid, false)
    })
    sm.on('resumed', () => this.emit('online', this.#jid, true))
    sm.on('fail', (stanza: LtxElement) => this.emit('undelivered', stanza))
    x.on('disconnect', (info?: { clean?: boolean; reason?: unknown }) => {
      const reason = info?.reason instanceof Error ? info.reason : undefined
      this.emit('disconnect', reason)
    })
    x.on('error', (error: XmppError) => {
      const classified = classify(error)
      if (this.#connecting && classified.kind !== 'network') this.#connecting(classified)
      else if (classified.kind === 'conflict') this.emit('error', classified)
      else this.emit('error', error)
    })

    // xmpp.js counts inbound stanzas for XEP-0198 in a middleware that runs after the IQ caller and
    // callee, so stanzas they consume (pings, IQ results) are never counted and a resumed session
    // gets them again. Count what the middleware missed, by watching the counter around each element.
    let before = 0
    x.prependListener('element', () => {
      before = sm.inbound
    })
    x.on('element', (element: LtxElement) => {
      if (STANZAS.has(element.name) && sm.inbound === before) sm.inbound += 1
    })

    x.middleware.use(async (ctx) => {
      const { stanza } = ctx
      if (!STANZAS.has(stanza.name)) return undefined
      const answer = await this.onStanza(stanza as unknown as XmlElement)
      // The IQ callee of xmpp.js turns what this returns into the reply: an <error/> element becomes
      // an error reply, another element the result's child, any other truthy value an empty result.
      if (!answer) return undefined
      if ('error' in answer) return answer.error
      return answer.result ?? {}
    })

    if (this.log.isLevelEnabled('debug')) {
      x.on('element', (element: LtxElement) => traceStanza(this.log, 'xmpp in', element))
      x.on('send', (element: LtxElement) => traceStanza(this.log, 'xmpp out', element))
      x.on('status', (status: string) => this.log.debug({ status }, 'xmpp status'))
    }
  }
}

/** Logs a stanza at debug level; logging must never break the stream, whatever came in. */
function traceStanza(log: Logger, direction: string, element: LtxElement): void {
  try {
    log.debug({ xml: redact(element) }, direction)
  } catch (error) {
    log.debug({ err: error }, `${direction}: cannot log this element`)
  }
}

/** The element as one line of XML, with SASL payloads and the text of any `<password/>` removed. */
export function redact(element: XmlElement | LtxElement): string {
  return hideSensitive(copyWithoutPasswords(element as LtxElement)).toString()
}

/** A deep copy, since hiding works in place and the original is still on its way. */
function copyWithoutPasswords(element: LtxElement): LtxElement {
  const children = element.name === 'password' ? ['hidden'] : element.children.map((c) => (typeof c === 'string' ? c : copyWithoutPasswords(c)))
  return ltxXml(element.name, { ...element.attrs }, ...children)
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
  return new ConnectError('network', message, { cause: error })
}
