/**
 * Runs work one piece at a time per key, in the order it was handed in, and pieces of different keys
 * side by side. A key holds memory only while it has work.
 *
 * @example
 * ```ts
 * const order = new InOrder()
 * await order.run('alice@example.org', () => saveTodo('alice@example.org'))
 * ```
 */
export class InOrder {
  readonly #tails = new Map<string, Promise<unknown>>()

  /** Runs `work` once the work handed in earlier for `key` has settled; resolves or rejects as `work` does. */
  run<T>(key: string, work: () => T | Promise<T>): Promise<T> {
    const before = this.#tails.get(key)
    const result = before === undefined ? Promise.resolve().then(work) : before.then(work, work)
    const tail = result.then(
      () => undefined,
      () => undefined,
    )
    this.#tails.set(key, tail)
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    })
    return result
  }

  /** How many keys have work running or waiting. */
  get size(): number {
    return this.#tails.size
  }
}
