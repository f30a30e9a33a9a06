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
  /** The latest record of each remembered message, by sender and id. */
  readonly #seen = new Map<string, Seen>()
  /** Every record, oldest first, from `#head` on: what to forget next, without searching for it. */
  #records: Seen[] = []
  #head = 0
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
    const seen = this.#seen.get(key)
    if (seen !== undefined && now - seen.at < this.#age && stanza.getChild('delay', NS_DELAY)) return true
    const record = { key, at: now }
    this.#seen.set(key, record)
    this.#records.push(record)
    this.#forget(now)
    return false
  }

  /**
   * Drops the oldest records beyond the size or the age. A message handled twice live (a client reusing an
   * id) leaves a stale record behind, which counts towards the size until it goes, so memory stays bounded.
   */
  #forget(now: number): void {
    const records = this.#records
    for (let oldest = records[this.#head]; oldest; oldest = records[this.#head]) {
      if (records.length - this.#head <= this.#size && now - oldest.at < this.#age) break
      if (this.#seen.get(oldest.key) === oldest) this.#seen.delete(oldest.key)
      this.#head += 1
    }
    // Drop the forgotten part of the array once it is most of it, so each record is copied about once.
    if (this.#head > 64 && this.#head * 2 > records.length) {
      this.#records = records.slice(this.#head)
      this.#head = 0
    }
  }
}

interface Seen {
  readonly key: string
  /** When the message was handled, in ms since the epoch. */
  readonly at: number
}
