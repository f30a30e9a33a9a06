import type { XmlElement } from './xml.js'

const NS_DELAY = 'urn:xmpp:delay'

/** How many handled messages, and for how long, are remembered. */
export interface ReplayWindow {
  /** Default 2000. */
  size?: number
  /** In ms. Default 1800000 (30 minutes, longer than servers keep a dropped session). */
  age?: number
}

/**
 * Remembers recently handled messages by sender and id, to spot a message the server delivers again:
 * after a failed resume, Prosody hands the messages the bot had not yet acknowledged to the next
 * session as delayed (XEP-0203) messages, although the bot may have handled them already. Only a
 * delayed copy counts as a replay, so a client that reuses ids does not lose live messages.
 */
export class ReplayFilter {
  readonly #seen = new Map<string, number>()
  readonly #size: number
  readonly #age: number

  constructor(window: ReplayWindow = {}) {
    this.#size = window.size ?? 2000
    this.#age = window.age ?? 30 * 60_000
  }

  /** Whether the message was handled before and this is a redelivery; records it otherwise. */
  isReplay(stanza: XmlElement, now = Date.now()): boolean {
    const id = stanza.attrs.id
    if (stanza.name !== 'message' || !id) return false
    // NUL cannot occur in XML, so the key is unambiguous.
    const key = `${stanza.attrs.from ?? ''}\u0000${id}`
    const seenAt = this.#seen.get(key)
    if (seenAt !== undefined && now - seenAt < this.#age && stanza.getChild('delay', NS_DELAY)) return true
    this.#seen.delete(key)
    this.#seen.set(key, now)
    // A Map iterates in insertion order, so the first keys are the oldest.
    for (const [oldest, at] of this.#seen) {
      if (this.#seen.size <= this.#size && now - at < this.#age) break
      this.#seen.delete(oldest)
    }
    return false
  }
}
