/**
 * How long to wait before each reconnect attempt.
 *
 * @example
 * ```ts
 * createBot({ reconnect: { initialDelay: 500, maxDelay: 30_000 } })
 * ```
 */
export interface BackoffOptions {
  /** The ceiling of the first delay, in ms. Default 1000. */
  initialDelay?: number
  /** The largest ceiling, in ms. Default 60000. */
  maxDelay?: number
}

/**
 * Exponential backoff with full jitter: attempt n waits a random time up to
 * min(maxDelay, initialDelay * 2^n), so a fleet of bots does not reconnect in lockstep after an outage.
 */
export class Backoff {
  #attempt = 0
  readonly #initial: number
  readonly #max: number

  constructor(
    options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.#initial = options.initialDelay ?? 1000
    this.#max = options.maxDelay ?? 60_000
  }

  /** How many delays were handed out since the last reset. */
  get attempt(): number {
    return this.#attempt
  }

  /** The delay before the next attempt, in ms. */
  next(): number {
    const ceiling = Math.min(this.#max, this.#initial * 2 ** this.#attempt)
    this.#attempt += 1
    return Math.round(ceiling * this.random())
  }

  /** Starts again from the smallest delay, after a session proved stable. */
  reset(): void {
    this.#attempt = 0
  }
}
