/** How fast a sender may go: `rate` stanzas a second on average, `burst` at once. */
export interface Rate {
  /** Tokens added per second. */
  readonly rate: number
  /** Tokens a bucket holds at most, and starts with. */
  readonly burst: number
}

interface Bucket {
  tokens: number
  at: number
}

/**
 * A token bucket per key: each stanza takes a token, tokens come back at `rate` a second, up to
 * `burst`. A stanza refused for an empty bucket takes a token too, into debt (down to `-burst`): a
 * sender that keeps going at the refill rate or faster, such as another bot in a loop with this one,
 * gets nothing through until it pauses, instead of a steady trickle. Keeps at most `max` buckets, dropping the least recently used: with that many senders at
 * once, a forgotten one merely starts again with a full bucket.
 *
 * @example
 * ```ts
 * const buckets = new TokenBuckets({ rate: 2, burst: 20 })
 * if (!buckets.take('alice@example.org')) return // over the limit
 * ```
 */
export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>()

  constructor(
    private readonly limit: Rate,
    private readonly max = 10_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Takes a token for `key`; false when its bucket is empty. */
  take(key: string): boolean {
    const now = this.now()
    const bucket = this.#buckets.get(key)
    const refilled = bucket ? Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.rate) : this.limit.burst
    const allowed = refilled >= 1
    // Re-inserted, so the Map's order is least recently used first.
    this.#buckets.delete(key)
    this.#buckets.set(key, { tokens: Math.max(refilled - 1, -this.limit.burst), at: now })
    if (this.#buckets.size > this.max) {
      const oldest = this.#buckets.keys().next()
      if (!oldest.done) this.#buckets.delete(oldest.value)
    }
    return allowed
  }
}
