import type { XmlElement } from '../../xml.js'

/** A stanza a sibling owned, kept in case the sibling dies before it answers. */
export interface Held {
  readonly stanza: XmlElement
  /** The conversation it belongs to. */
  readonly key: string
  /** The sibling that owned it when it came in. */
  readonly owner: string
  /** When it came in, as `performance.now()`. */
  readonly at: number
}

/**
 * The recent stanzas of the siblings' conversations, bounded in age and count: what a dead sibling
 * received but may never have answered is still here when the others take its share over.
 */
export class Backlog {
  readonly #items: Held[] = []

  constructor(
    private readonly maxAge: number,
    private readonly maxItems = 10_000,
  ) {}

  add(item: Held): void {
    this.#items.push(item)
    if (this.#items.length > this.maxItems) this.#items.shift()
    this.prune(item.at)
  }

  /** Forgets what is older than the age bound. */
  prune(now: number): void {
    let stale = 0
    while (stale < this.#items.length && now - (this.#items[stale] as Held).at > this.maxAge) stale++
    if (stale > 0) this.#items.splice(0, stale)
  }

  /** Takes out, in arrival order, what `owner` held and may not have answered: those `pending` says yes to. */
  takeOver(owner: string, pending: (item: Held) => boolean): Held[] {
    const taken: Held[] = []
    for (let i = 0; i < this.#items.length; ) {
      const item = this.#items[i] as Held
      if (item.owner === owner && pending(item)) {
        taken.push(item)
        this.#items.splice(i, 1)
      } else i++
    }
    return taken
  }

  get size(): number {
    return this.#items.length
  }
}
