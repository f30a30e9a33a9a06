import { NS_DELAY } from '../ns.js'
import type { XmlElement } from '../xml.js'

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
 *
 * Every message is recorded, but only delayed ones are looked up, so recording must cost next to
 * nothing: each message is kept as two 32-bit hashes of its sender and id and a time, in a ring of
 * typed arrays, with no object, string or map entry per message (a Map keyed by strings took up to
 * a tenth of an echo's CPU at a few messages a second). A delayed message is then looked for by a
 * scan of the ring. Both hashes must match: a false match among 2000 messages comes about once in
 * 10^16 delayed messages. The hashes are not built to resist a sender that crafts ids; the most such
 * a sender could do is have one delayed message of another ignored.
 */
export class ReplayFilter {
  readonly #first: Int32Array
  readonly #second: Int32Array
  /** When each message was handled, in ms since the epoch; NaN, which matches no age, for a slot not used yet. */
  readonly #at: Float64Array
  /** The slot the next message goes to, overwriting the oldest. */
  #next = 0
  readonly #age: number

  constructor(window: ReplayWindow = {}) {
    const size = Math.max(1, window.size ?? 2000)
    this.#first = new Int32Array(size)
    this.#second = new Int32Array(size)
    this.#at = new Float64Array(size).fill(Number.NaN)
    this.#age = window.age ?? 30 * 60_000
  }

  /** Whether the message was handled before and this is a redelivery; records it otherwise. */
  isReplay(stanza: XmlElement, now = Date.now()): boolean {
    const id = stanza.attrs.id
    if (stanza.name !== 'message' || !id) return false
    const from = stanza.attrs.from ?? ''
    const first = hash(from, id, 0x811c9dc5, 0x01000193)
    const second = hash(from, id, 0x2545f491, 0x5bd1e995)
    if (stanza.getChild('delay', NS_DELAY) && this.#seen(first, second, now)) return true
    const slot = this.#next
    this.#first[slot] = first
    this.#second[slot] = second
    this.#at[slot] = now
    this.#next = (slot + 1) % this.#at.length
    return false
  }

  #seen(first: number, second: number, now: number): boolean {
    for (let slot = 0; slot < this.#at.length; slot++) {
      if (this.#first[slot] === first && this.#second[slot] === second && now - (this.#at[slot] as number) < this.#age) return true
    }
    return false
  }
}

/**
 * FNV-1a over the sender, a NUL (which XML cannot contain, so the pair is unambiguous) and the id, with
 * the given offset basis and multiplier.
 */
function hash(from: string, id: string, basis: number, prime: number): number {
  let h = basis
  for (let i = 0; i < from.length; i++) h = Math.imul(h ^ from.charCodeAt(i), prime)
  h = Math.imul(h, prime)
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), prime)
  return h
}
