/**
 * How much of the bot's output may await the server's acknowledgement (XEP-0198), in characters, sized
 * to what the server has been reading: about one second of it, never less than `min` nor more than
 * `max`. A server that throttles its reading (ejabberd's shaper, Prosody's mod_limits) then never has
 * more than a few seconds of the bot's output to read before the bot's next ack or ping, while a fast
 * one is not held to the pace of a small window. Grows and shrinks only from a second in which the
 * window held the bot back: a quiet second says nothing about the server.
 *
 * @example
 * ```ts
 * const window = new AckWindow(16 * 1024, 256 * 1024)
 * if (inFlight >= window.size) window.blocked()
 * window.acknowledged(charsAckedSoFar)
 * ```
 */
export class AckWindow {
  size: number
  #blocked = false
  #markAt: number
  #markAcked = 0

  constructor(
    private readonly min: number,
    private readonly max: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.size = min
    this.#markAt = now()
  }

  /** The window is full: what the server acknowledges from now on measures how fast it reads. */
  blocked(): void {
    this.#blocked = true
  }

  /** The server has acknowledged `total` characters of the bot's output so far. */
  acknowledged(total: number): void {
    const now = this.now()
    const elapsed = now - this.#markAt
    if (elapsed < 1000) return
    if (this.#blocked) {
      const perSecond = ((total - this.#markAcked) * 1000) / elapsed
      this.size = Math.min(this.max, Math.max(this.min, Math.round(perSecond)))
    }
    this.#blocked = false
    this.#markAt = now
    this.#markAcked = total
  }
}
