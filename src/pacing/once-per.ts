/**
 * Lets something happen at most once per interval for each key: a notice to a sender that floods the
 * bot, the log line about it, a hint to someone who types unknown commands. Keeps at most `max`
 * keys, forgetting the oldest first, so a crowd of senders cannot grow it without bound.
 *
 * @example
 * ```ts
 * const hints = new OncePer(5 * 60_000)
 * if (hints.take('alice@example.org')) await msg.reply('Send "help" for the list of commands.')
 * ```
 */
export class OncePer {
  readonly #last = new Map<string, number>()

  constructor(
    /** In ms. */
    private readonly interval: number,
    private readonly max = 10_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** True when `key` had no turn within the last interval; that call is its turn. */
  take(key: string): boolean {
    const now = this.now()
    const last = this.#last.get(key)
    if (last !== undefined && now - last < this.interval) return false
    this.#last.delete(key)
    this.#last.set(key, now)
    // A Map iterates in insertion order, so the first keys are the oldest.
    for (const [oldest, at] of this.#last) {
      if (this.#last.size <= this.max && now - at < this.interval) break
      this.#last.delete(oldest)
    }
    return true
  }
}
