import { createHash } from 'node:crypto'
import type { Logger } from '../../log/logger.js'
import { type XmlElement, xml } from '../../xml.js'

/** What the handshake needs of the stream it runs over. */
export interface HandshakeLink {
  /** Calls `listener` with every element from the server that is not a stanza, until the returned function is called. */
  onNonza(listener: (element: XmlElement) => void): () => void
}

/**
 * The proof of XEP-0114: the SHA-1 of the server's stream id followed by the shared secret, in lower-case hex.
 *
 * @example
 * ```ts
 * handshakeDigest('3BF96D32', 'secret') // 'a0c3...'
 * ```
 */
export function handshakeDigest(streamId: string, secret: string): string {
  return createHash('sha1')
    .update(streamId + secret, 'utf8')
    .digest('hex')
}

/**
 * An external component's login (XEP-0114): it answers the server's stream header with the handshake and
 * waits for the server's empty `<handshake/>`. A wrong secret comes back as the stream error
 * `not-authorized`, which ends the attempt (classify-error.ts makes it a refused login).
 *
 * @example
 * ```ts
 * const login = new ComponentHandshake(xmpp, (element) => write(element), secret, log)
 * login.begin(attempt.signal)
 * await login.logIn(header.attrs.id)
 * ```
 */
export class ComponentHandshake {
  #attempt: AbortSignal = AbortSignal.abort()

  constructor(
    private readonly link: HandshakeLink,
    private readonly write: (element: XmlElement) => Promise<void>,
    private readonly secret: string,
    private readonly log: Logger,
  ) {}

  /** A connection attempt starts; its handshake stops once `attempt` is aborted. */
  begin(attempt: AbortSignal): void {
    this.#attempt = attempt
  }

  /** Proves the secret for the stream `streamId`; resolves once the server accepts it. */
  async logIn(streamId: string): Promise<void> {
    const signal = this.#attempt
    signal.throwIfAborted()
    this.log.debug('component handshake')
    let stopListening = (): void => {}
    const accepted = new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      stopListening = this.link.onNonza((element) => {
        if (element.name !== 'handshake') return
        signal.removeEventListener('abort', onAbort)
        resolve()
      })
    })
    try {
      await this.write(xml('handshake', {}, handshakeDigest(streamId, this.secret)))
      await accepted
    } finally {
      stopListening()
    }
  }
}
