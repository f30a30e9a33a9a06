/** How many handlers may run at once, and how many stanzas may wait for one to finish. */
export interface SlotLimits {
  /** Handlers running at once for one key (sender). */
  readonly perKey: number
  /** Handlers running at once over all keys. */
  readonly total: number
  /** Stanzas of one key waiting for a slot. */
  readonly queuePerKey: number
  /** Stanzas waiting for a slot over all keys. */
  readonly queueTotal: number
}

interface Waiting {
  readonly key: string
  readonly start: () => void
}

/**
 * Bounds the handlers running at once, per sender and overall. A stanza that finds no free slot waits
 * in a short line, first come first served; when the line is full too it is refused. So a flood of
 * slow commands holds a bounded number of handlers and stanzas in memory, and one sender cannot take
 * every slot from the others.
 *
 * @example
 * ```ts
 * const slots = new HandlerSlots({ perKey: 4, total: 64, queuePerKey: 8, queueTotal: 256 })
 * const entry = slots.enter(sender)
 * if (entry === false) return refuse()
 * if (entry !== true) await entry
 * try { await next() } finally { slots.leave(sender) }
 * ```
 */
export class HandlerSlots {
  readonly #running = new Map<string, number>()
  readonly #queuedPerKey = new Map<string, number>()
  readonly #queue: Waiting[] = []
  #total = 0

  constructor(private readonly limits: SlotLimits) {}

  /** Handlers running now, over all keys. */
  get running(): number {
    return this.#total
  }

  /** Stanzas waiting for a slot now, over all keys. */
  get waiting(): number {
    return this.#queue.length
  }

  /**
   * Takes a slot for `key`: true when the handler may run now, a promise that resolves once it may,
   * or false when the line is full. Every true, and every promise once resolved, must be paired with
   * {@link HandlerSlots.leave}.
   */
  enter(key: string): boolean | Promise<void> {
    if (this.#free(key)) {
      this.#start(key)
      return true
    }
    const queued = this.#queuedPerKey.get(key) ?? 0
    if (queued >= this.limits.queuePerKey || this.#queue.length >= this.limits.queueTotal) return false
    this.#queuedPerKey.set(key, queued + 1)
    return new Promise((start) => this.#queue.push({ key, start }))
  }

  /** Gives back the slot of a handler of `key` that is done, to the longest-waiting stanza that may have it. */
  leave(key: string): void {
    const running = (this.#running.get(key) ?? 1) - 1
    if (running === 0) this.#running.delete(key)
    else this.#running.set(key, running)
    this.#total -= 1
    // One slot came free, so at most one waiting stanza can start.
    const next = this.#queue.findIndex((waiting) => this.#free(waiting.key))
    if (next === -1) return
    const [waiting] = this.#queue.splice(next, 1) as [Waiting]
    const queued = (this.#queuedPerKey.get(waiting.key) ?? 1) - 1
    if (queued === 0) this.#queuedPerKey.delete(waiting.key)
    else this.#queuedPerKey.set(waiting.key, queued)
    this.#start(waiting.key)
    waiting.start()
  }

  #free(key: string): boolean {
    return this.#total < this.limits.total && (this.#running.get(key) ?? 0) < this.limits.perKey
  }

  #start(key: string): void {
    this.#running.set(key, (this.#running.get(key) ?? 0) + 1)
    this.#total += 1
  }
}
