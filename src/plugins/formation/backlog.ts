import { stanzaBytes } from '../../pacing/stanza-bytes.js'
import type { XmlElement } from '../../xml.js'

/** A stanza a sibling owns, kept in case the sibling dies before it answers. */
export interface Held {
  readonly stanza: XmlElement
  /** The conversation it belongs to. */
  readonly key: string
  /** The sibling it is up to: its owner when it came in, or the heir of an owner that died. */
  owner: string
  /** Since when it is up to `owner`, as `performance.now()`. */
  since: number
}

/** What becomes of a dead sibling's stanza: answered by it, this process's to handle, or the heir's (a JID). */
export type Fate = 'answered' | 'mine' | string

/**
 * The recent stanzas of the siblings' conversations, bounded in age, count and bytes: what a dead
 * sibling received but may never have answered is still here when the others take its share over.
 * The oldest go first; a flood of heavy stanzas costs no more memory than the byte bound.
 */
export class Backlog {
  readonly #items: Array<Held & { readonly at: number; readonly bytes: number }> = []
  #bytes = 0

  constructor(
    private readonly maxAge: number,
    private readonly maxItems = 10_000,
    private readonly maxBytes = 32 * 2 ** 20,
  ) {}

  add(stanza: XmlElement, key: string, owner: string, now: number): void {
    const bytes = stanzaBytes(stanza)
    this.#items.push({ stanza, key, owner, since: now, at: now, bytes })
    this.#bytes += bytes
    while (this.#items.length > this.maxItems || (this.#bytes > this.maxBytes && this.#items.length > 0)) this.#drop(0, 1)
    this.prune(now)
  }

  /** Forgets what came in longer ago than the age bound. */
  prune(now: number): void {
    let stale = 0
    while (stale < this.#items.length && now - (this.#items[stale] as Held & { at: number }).at > this.maxAge) stale++
    if (stale > 0) this.#drop(0, stale)
  }

  /** What the backlog holds, in bytes as {@link stanzaBytes} counts them. */
  get bytes(): number {
    return this.#bytes
  }

  #drop(from: number, count: number): void {
    for (const item of this.#items.splice(from, count)) this.#bytes -= item.bytes
  }

  /**
   * Settles, in arrival order, what the dead `owner` held: `fate` says for each whether it was
   * answered (forgotten), is this process's (taken out and returned), or passes to an heir (kept, up
   * to the heir from `now`, so that it is not lost should the heir die before handling it).
   */
  takeOver(owner: string, fate: (item: Held) => Fate | undefined, now: number): Held[] {
    const taken: Held[] = []
    for (let i = 0; i < this.#items.length; ) {
      const item = this.#items[i] as Held
      const verdict = item.owner === owner ? fate(item) : item.owner
      if (verdict === item.owner) {
        i++
        continue
      }
      if (verdict === 'mine') taken.push(item)
      if (verdict === 'mine' || verdict === 'answered' || verdict === undefined) {
        this.#drop(i, 1)
        continue
      }
      item.owner = verdict
      item.since = now
      i++
    }
    return taken
  }

  /** The conversations of what `owner` was given that the backlog still keeps. */
  conversationsOf(owner: string): Set<string> {
    const keys = new Set<string>()
    for (const item of this.#items) if (item.owner === owner) keys.add(item.key)
    return keys
  }

  get size(): number {
    return this.#items.length
  }
}
