import type { TLSSocket } from 'node:tls'
import { ConnectError } from '../errors.js'
import type { Logger } from '../log/logger.js'
import { NS_SASL } from '../ns.js'
import type { XmlElement } from '../xml.js'
import { channelBindings } from './login/channel-binding.js'
import { beginLogin, converse, SaslInbox } from './login/sasl.js'

/** Who logs in, where, and whether a link without TLS will do. */
export interface LoginAccount {
  service: string
  username: string
  password: string
  /** Log in without TLS to a machine other than this one (`XMPP_ALLOW_INSECURE`). */
  allowInsecure?: boolean
  /** Use -PLUS when offered (`XMPP_CHANNEL_BINDING`); default true. */
  channelBinding?: boolean
}

/** What a login needs of the stream it runs over. */
export interface LoginLink {
  /** Whether the socket is a TLS one (direct TLS, or after STARTTLS). */
  readonly secure: boolean
  readonly remoteAddress: string | undefined
  /** The TLS socket under the stream, once it is encrypted: what channel binding binds to. */
  readonly tlsSocket: TLSSocket | undefined
  /** Calls `listener` with every element from the server that is not a stanza, until the returned function is called. */
  onNonza(listener: (element: XmlElement) => void): () => void
}

/**
 * natter runs the SASL dialogue itself (wire/login/sasl.ts), where it decides whether the link is good enough
 * to log in over and checks the server's proof: xmpp.js 0.14 logs in over cleartext, ignores the SCRAM
 * server signature, and knows neither SCRAM-SHA-256 nor channel binding. xmpp.js calls {@link logIn} at
 * its point of the stream's negotiation.
 *
 * @example
 * ```ts
 * const login = new StreamLogin(xmpp, (element) => write(element), { service, username, password }, log)
 * login.begin(attempt.signal) // as each connection attempt starts
 * login.offered(features) // for each <stream:features/>
 * ```
 */
export class StreamLogin {
  /** Aborted once the current connection attempt has ended, either way: its login must stop where it is. */
  #attempt: AbortSignal = AbortSignal.abort()
  /** The last `<stream:features/>`, which offered the SASL mechanisms {@link logIn} picks from. */
  #features: XmlElement | undefined

  constructor(
    private readonly link: LoginLink,
    /** Writes an element of the dialogue. */
    private readonly write: (element: XmlElement) => Promise<void>,
    private readonly account: LoginAccount,
    private readonly log: Logger,
  ) {}

  /** A connection attempt starts; its login stops once `attempt` is aborted. */
  begin(attempt: AbortSignal): void {
    this.#attempt = attempt
  }

  /** The server's `<stream:features/>`. */
  offered(features: XmlElement): void {
    this.#features = features
  }

  /** Logs in over the stream negotiated so far; a rejection stops the attempt before any bind. */
  async logIn(): Promise<void> {
    const { link } = this
    const signal = this.#attempt
    const tls = link.tlsSocket
    const { service, username, password } = this.account
    if (!this.#features) throw new ConnectError('server-auth', `${service} asked for a login without offering one`)
    const exchange = beginLogin(
      {
        service,
        features: this.#features,
        secure: link.secure,
        remoteAddress: link.remoteAddress,
        allowInsecure: this.account.allowInsecure ?? false,
        channelBinding: this.account.channelBinding ?? true,
        bindings: tls ? channelBindings(tls) : [],
      },
      { username, password },
      signal,
    )
    if (exchange.protection === 'insecure') {
      this.log.warn({ service }, 'logging in without TLS (XMPP_ALLOW_INSECURE): the login and every message can be read and changed on the way')
    }
    this.log.debug({ mechanism: exchange.mechanism, channelBinding: exchange.channelBinding?.type, protection: exchange.protection }, 'logging in')
    const inbox = new SaslInbox(signal)
    const stopListening = link.onNonza((element) => {
      if (element.getNS() === NS_SASL) inbox.push(element)
    })
    try {
      await converse(exchange, { send: this.write, receive: () => inbox.receive() })
    } finally {
      stopListening()
      inbox.close()
    }
  }
}
