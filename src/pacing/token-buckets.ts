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
 * gets nothing through until it pauses, instead of a steady trickle. Keeps at most `max` buckets: a new
 * key takes the place of the least recently used bucket only once that bucket has filled up again (it
 * then says no more than a new one would); while every bucket still remembers something, new keys
 * share one bucket of their own. So neither taking new names nor crowding out old ones gives anyone a
 * fresh bucket.
 *
 * @example
 * ```ts
 * const buckets = new TokenBuckets({ rate: 2, burst: 20 })
 * if (!buckets.take('alice@example.org')) return // over the limit
 * ```
 */
export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>()
  /** The bucket the keys share that found no room. */
  #overflow: Bucket | undefined

  constructor(
    private readonly limit: Rate,
    private readonly max = 10_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Takes a token for `key`; false when its bucket is empty. */
  take(key: string): boolean {
    const now = this.now()
    let bucket = this.#buckets.get(key)
    if (bucket === undefined) {
      if (this.#buckets.size >= this.max && !this.#evictFull(now)) {
        this.#overflow ??= { tokens: this.limit.burst, at: now }
        return this.#take(this.#overflow, now)
      }
      bucket = { tokens: this.limit.burst, at: now }
    }
    // Re-inserted, so the Map's order is least recently used first.
    this.#buckets.delete(key)
    this.#buckets.set(key, bucket)
    return this.#take(bucket, now)
  }

  /** How many keys have a bucket of their own. */
  get size(): number {
    return this.#buckets.size
  }

  #take(bucket: Bucket, now: number): boolean {
    const refilled = this.#refilled(bucket, now)
    bucket.tokens = Math.max(refilled - 1, -this.limit.burst)
    bucket.at = now
    return refilled >= 1
  }

  #refilled(bucket: Bucket, now: number): number {
    return Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.rate)
  }

  /** Forgets the least recently used bucket if it is full again; false when it still remembers something. */
  #evictFull(now: number): boolean {
    const oldest = this.#buckets.entries().next()
    if (oldest.done || this.#refilled(oldest.value[1], now) < this.limit.burst) return false
    this.#buckets.delete(oldest.value[0])
    return true
  }
}
