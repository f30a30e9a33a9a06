// How natter logs in (RFC 6120 SASL): which mechanism it picks from those a server offers, whether the
// connection is good enough for it, and the dialogue itself, which only succeeds once the server has
// proved that it knows the password. The transport hands it the wire; nothing here knows xmpp.js.
import { ConnectError } from '../../errors.js'
import { NS_SASL, NS_SASL_CB } from '../../ns.js'
import { type XmlElement, xml } from '../../xml.js'
import { type ChannelBinding, ScramClient, ScramError, type ScramHash } from './scram.js'
import { type LinkProtection, linkProtection } from './tls-policy.js'

/** The mechanisms natter logs in with, most preferred first. */
export const SASL_MECHANISMS = [
  'SCRAM-SHA-512-PLUS',
  'SCRAM-SHA-256-PLUS',
  'SCRAM-SHA-1-PLUS',
  'SCRAM-SHA-512',
  'SCRAM-SHA-256',
  'SCRAM-SHA-1',
  'PLAIN',
] as const

const SCRAM_HASHES: Record<string, ScramHash> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-512': 'sha512' }

/** The connection natter is about to log in over, and what the server offered on it. */
export interface LoginLink {
  /** The service as configured, to name the server in messages. */
  readonly service: string
  /** The `<stream:features/>` that offered SASL. */
  readonly features: XmlElement
  /** Whether the stream runs over TLS. */
  readonly secure: boolean
  /** The server's IP address, as the socket reports it. */
  readonly remoteAddress: string | undefined
  /** The `XMPP_ALLOW_INSECURE` opt-in. */
  readonly allowInsecure: boolean
  /** The channel bindings this TLS connection can provide, most preferred first; empty without TLS. */
  readonly bindings: readonly ChannelBinding[]
  /** Whether -PLUS is used when offered (`XMPP_CHANNEL_BINDING`); false is the operator's own downgrade. */
  readonly channelBinding: boolean
}

/**
 * One login attempt: the mechanism picked, and the client's side of its dialogue. Server messages are
 * Unicode text, decoded from base64 and UTF-8 by {@link converse}.
 */
export interface SaslExchange {
  readonly mechanism: (typeof SASL_MECHANISMS)[number]
  /** How the connection is protected; `insecure` only with the opt-in. */
  readonly protection: LinkProtection
  /** The channel binding of a `-PLUS` mechanism, and whether natter guessed its type (the server listed none). */
  readonly channelBinding: { readonly type: string; readonly guessed: boolean } | undefined
  /** The initial response, sent with `<auth/>`. */
  start(): string
  /** The answer to a `<challenge/>`. */
  challenge(data: string): Promise<string>
  /** Checks the data of `<success/>`: throws unless the server has proved that it knows the password. */
  success(data: string): void
}

/**
 * Picks how to log in over this connection, and begins that exchange, leaving a relay nothing to strip:
 * a -PLUS mechanism whenever one is offered and natter can bind (to a type the server lists, or, when it
 * lists none, tls-exporter on TLS 1.3 and tls-server-end-point before), else the strongest SCRAM with the
 * `y` flag when natter could have bound; PLAIN only over TLS (or with the insecure opt-in) and only when
 * no SCRAM at all is offered. Throws a {@link ConnectError}: `insecure` when the connection is not allowed
 * for logging in, `unsupported` when no offered mechanism is.
 *
 * @example
 * ```ts
 * const exchange = beginLogin(link, { username: 'bot', password }, signal)
 * await converse(exchange, wire)
 * ```
 */
export function beginLogin(link: LoginLink, credentials: { username: string; password: string }, signal: AbortSignal): SaslExchange {
  const protection = linkProtection(link)
  if (!protection) {
    throw new ConnectError(
      'insecure',
      `${link.service} offers no TLS: natter does not log in to another machine without it, as the login and every message could be read and changed on the way; ` +
        'enable STARTTLS on the server, use xmpps://, or set XMPP_ALLOW_INSECURE=1 to accept that risk',
    )
  }
  const offered = offeredMechanisms(link.features)
  const advertised = link.features
    .getChild('sasl-channel-binding', NS_SASL_CB)
    ?.getChildren('channel-binding')
    .map((c) => c.attrs.type)
  // Without XEP-0440 the types are unknown, and a relay may have dropped the list: take the RFC 9266 default for
  // TLS 1.3 (tls-exporter, first when available) or tls-server-end-point, never a fall back to no binding.
  const binding = advertised ? link.bindings.find((b) => advertised.includes(b.type)) : link.bindings[0]
  // 'y' tells a server that natter could have bound the channel, so that a server whose -PLUS offer was stripped on the way refuses.
  const flag = link.bindings.length > 0 && !offered.some((m) => m.endsWith('-PLUS')) ? 'y' : 'n'
  const server = { service: link.service }
  const scramOffered = offered.some((m) => m.startsWith('SCRAM-'))

  for (const mechanism of SASL_MECHANISMS) {
    if (!offered.includes(mechanism)) continue
    if (mechanism === 'PLAIN') {
      // A server that speaks SCRAM never needs the password itself: PLAIN next to it is what a downgrade looks like.
      if (scramOffered || (protection !== 'tls' && !link.allowInsecure)) continue
      return new PlainExchange(credentials, protection)
    }
    const plus = mechanism.endsWith('-PLUS')
    if (plus && (!binding || !link.channelBinding)) continue
    const hash = SCRAM_HASHES[mechanism.replace(/^SCRAM-|-PLUS$/g, '')] as ScramHash
    const scram = new ScramClient(hash, plus && binding ? { flag: 'p', binding } : { flag })
    return new ScramExchange(mechanism, scram, credentials, signal, {
      ...server,
      protection,
      channelBinding: plus && binding ? { type: binding.type, guessed: advertised === undefined } : undefined,
    })
  }

  const list = offered.length > 0 ? offered.join(', ') : 'none'
  if (scramOffered) {
    throw new ConnectError(
      'unsupported',
      `${link.service} offers SCRAM only with channel binding (offered: ${list}), which natter cannot do on this connection ` +
        `(${!link.channelBinding ? 'XMPP_CHANNEL_BINDING=0' : link.bindings.length > 0 ? `it can bind with ${link.bindings.map((b) => b.type).join(', ')}` : 'no TLS channel to bind to'}); ` +
        'it does not fall back to PLAIN, which would hand over the password itself',
    )
  }
  if (offered.includes('PLAIN')) {
    throw new ConnectError(
      'insecure',
      `${link.service} offers no SCRAM (offered: ${list}) and no TLS: PLAIN would hand it the password itself over an unprotected connection; ` +
        'enable TLS or SCRAM on the server, or set XMPP_ALLOW_INSECURE=1 to accept that risk',
    )
  }
  throw new ConnectError(
    'unsupported',
    `${link.service} offers no login mechanism natter accepts (offered: ${list}; natter logs in with ${SASL_MECHANISMS.join(', ')})`,
  )
}

/** The mechanism names a `<stream:features/>` offers. */
function offeredMechanisms(features: XmlElement): string[] {
  const mechanisms = features.getChild('mechanisms', NS_SASL)?.getChildren('mechanism', NS_SASL) ?? []
  return mechanisms.map((m) => m.getText().trim())
}

/** The stream as a SASL dialogue sees it: it sends an element, and receives the next SASL element from the server. */
export interface SaslWire {
  send(element: XmlElement): Promise<void>
  receive(): Promise<XmlElement>
}

/**
 * The SASL elements the server sent during one login attempt, in order. Receiving fails with the
 * signal's reason once the attempt has ended, so that a login given up never reads (or answers) what
 * a later connection receives.
 *
 * @example
 * ```ts
 * const inbox = new SaslInbox(signal)
 * stream.on('nonza', (element) => inbox.push(element))
 * const next = await inbox.receive()
 * ```
 */
export class SaslInbox {
  readonly #queue: XmlElement[] = []
  #waiting: { resolve(element: XmlElement): void; reject(reason: unknown): void } | undefined
  readonly #onAbort = (): void => this.#waiting?.reject(this.signal.reason)

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', this.#onAbort)
  }

  push(element: XmlElement): void {
    const waiting = this.#waiting
    this.#waiting = undefined
    if (waiting) waiting.resolve(element)
    else this.#queue.push(element)
  }

  receive(): Promise<XmlElement> {
    if (this.signal.aborted) return Promise.reject(this.signal.reason)
    const next = this.#queue.shift()
    if (next) return Promise.resolve(next)
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject }
    })
  }

  /** Stops listening to the signal; the attempt's login is over. */
  close(): void {
    this.signal.removeEventListener('abort', this.#onAbort)
  }
}

/**
 * Runs the SASL dialogue of RFC 6120 until the server's `<success/>` has been checked. Rejects with a
 * {@link ConnectError}: `auth` when the server refuses the credentials, `server-auth` when the server
 * breaks the protocol or cannot prove that it knows the password.
 *
 * @example
 * ```ts
 * await converse(beginLogin(link, credentials, signal), { send, receive })
 * ```
 */
export async function converse(exchange: SaslExchange, wire: SaslWire): Promise<void> {
  await wire.send(xml('auth', { xmlns: NS_SASL, mechanism: exchange.mechanism }, encode(exchange.start()) || '='))
  for (;;) {
    const element = await wire.receive()
    if (element.name === 'challenge') {
      const answer = await exchange.challenge(decode(element.getText()))
      await wire.send(xml('response', { xmlns: NS_SASL }, encode(answer)))
    } else if (element.name === 'success') {
      exchange.success(decode(element.getText()))
      return
    } else if (element.name === 'failure') {
      throw failure(element, exchange.channelBinding)
    }
  }
}

function failure(element: XmlElement, binding: SaslExchange['channelBinding']): ConnectError {
  const condition = element.getChildElements().find((c) => c.name !== 'text')?.name ?? 'unknown'
  const text = element.getChildText('text')
  // A server that lists no binding types (XEP-0440) may bind only with one natter lacks; saying so beats "check the password".
  const guess = binding?.guessed
    ? `; the server lists no channel binding types and may not take ${binding.type}: if it binds only with tls-unique (ejabberd 23.01), set XMPP_CHANNEL_BINDING=0, which lets a relay with a trusted certificate pass the login on`
    : ''
  return new ConnectError('auth', `authentication failed (${condition}${text ? `: ${text}` : ''})${guess}`)
}

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64')
}

function decode(base64: string): string {
  return Buffer.from(base64.trim(), 'base64').toString('utf8')
}

class PlainExchange implements SaslExchange {
  readonly mechanism = 'PLAIN'
  readonly channelBinding = undefined

  constructor(
    private readonly credentials: { username: string; password: string },
    readonly protection: LinkProtection,
  ) {}

  start(): string {
    return `\0${this.credentials.username}\0${this.credentials.password}`
  }

  challenge(): Promise<string> {
    return Promise.reject(new ConnectError('server-auth', 'the server sent a challenge during a PLAIN login; natter did not log in'))
  }

  success(): void {}
}

class ScramExchange implements SaslExchange {
  readonly protection: LinkProtection
  readonly channelBinding: SaslExchange['channelBinding']
  readonly #service: string
  #answered = false

  constructor(
    readonly mechanism: (typeof SASL_MECHANISMS)[number],
    private readonly scram: ScramClient,
    private readonly credentials: { username: string; password: string },
    private readonly signal: AbortSignal,
    about: { service: string; protection: LinkProtection; channelBinding: SaslExchange['channelBinding'] },
  ) {
    this.protection = about.protection
    this.channelBinding = about.channelBinding
    this.#service = about.service
  }

  start(): string {
    return this.scram.first(this.credentials.username)
  }

  async challenge(data: string): Promise<string> {
    try {
      if (!this.#answered) {
        this.#answered = true
        return await this.scram.final(data, this.credentials.password, this.signal)
      }
      // Some servers send their signature as a last challenge rather than with <success/>.
      this.scram.verify(data)
      return ''
    } catch (error) {
      throw this.#classify(error)
    }
  }

  success(data: string): void {
    if (this.scram.verified) return
    if (data === '') {
      throw new ConnectError(
        'server-auth',
        `${this.#service} could not prove that it knows the password (no SCRAM server signature): it may be an impostor; natter did not log in`,
      )
    }
    try {
      this.scram.verify(data)
    } catch (error) {
      throw this.#classify(error)
    }
  }

  /** A SCRAM error as the ConnectError the session acts on; anything else (an abort) as it is. */
  #classify(error: unknown): unknown {
    if (!(error instanceof ScramError)) return error
    if (error.kind === 'refused') return new ConnectError('auth', `authentication failed (${error.message})`)
    const what =
      error.kind === 'signature'
        ? `${this.#service} could not prove that it knows the password (${error.message}): it may be an impostor`
        : `${this.#service} broke the SCRAM exchange: ${error.message}`
    return new ConnectError('server-auth', `${what}; natter did not log in`)
  }
}
