import { StanzaError } from '../errors.js'
import { parseJid } from '../jid.js'
import type { XmlElement } from '../xml.js'

interface Pending {
  /** Who the request went to; '' for the bot's own account or server. */
  readonly to: string
  readonly resolve: (reply: XmlElement) => void
  readonly reject: (error: Error) => void
  readonly timer: NodeJS.Timeout
}

/**
 * The bot's outstanding IQ requests. A reply settles a request only when both its id and its sender
 * match, so a third party that guesses an id cannot answer for someone else.
 */
export class PendingRequests {
  readonly #pending = new Map<string, Pending>()
  #next = 0

  constructor(private readonly ownJid: () => string) {}

  /** A fresh id for a request. */
  id(): string {
    this.#next += 1
    return `natter-${this.#next.toString(36)}-${Math.random().toString(36).slice(2, 8)}`
  }

  /** Waits for the reply to the request `id` sent to `to`; rejects after `timeoutMs`. */
  expect(id: string, to: string | undefined, timeoutMs: number): Promise<XmlElement> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new StanzaError('remote-server-timeout', 'wait', `no reply from ${to || 'the server'} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#pending.set(id, { to: to ?? '', resolve, reject, timer })
    })
  }

  /** Settles the request this IQ result or error answers. Returns false for replies nobody waits for. */
  settle(reply: XmlElement): boolean {
    const id = reply.attrs.id
    const pending = id === undefined ? undefined : this.#pending.get(id)
    if (!pending || !this.#fromAddressee(reply.attrs.from, pending.to)) return false
    this.#pending.delete(id as string)
    clearTimeout(pending.timer)
    if (reply.attrs.type === 'error') pending.reject(StanzaError.fromStanza(reply))
    else pending.resolve(reply)
    return true
  }

  /** Fails one request, e.g. because it could not be sent, and stops its timer. */
  cancel(id: string, error: Error): void {
    const pending = this.#pending.get(id)
    if (!pending) return
    this.#pending.delete(id)
    clearTimeout(pending.timer)
    pending.reject(error)
  }

  /** Fails every outstanding request, e.g. when the bot stops. */
  rejectAll(error: Error): void {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer)
      pending.reject(error)
    }
    this.#pending.clear()
  }

  #fromAddressee(from: string | undefined, to: string): boolean {
    const own = parseJid(this.ownJid())
    // A reply without `from` comes from the bot's own account or its server (RFC 6120, 8.1.2.1).
    const sender = parseJid(from ?? own?.bare ?? '')
    if (!sender || !own) return false
    if (to === '') return sender.full === own.bare || sender.full === own.domain || sender.full === own.full
    const addressee = parseJid(to)
    if (!addressee) return false
    if (addressee.full === sender.full) return true
    // Asking one's own bare JID is answered by the server on its behalf, with or without `from`.
    return addressee.bare === own.bare && (sender.full === own.bare || from === undefined)
  }
}
