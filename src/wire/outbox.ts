import { UndeliveredError, type UndeliveredReason } from '../errors.js'
import type { XmlElement } from '../xml.js'

/**
 * How much the bot holds back while it is offline.
 *
 * @example
 * ```ts
 * createBot({ outbox: { maxStanzas: 200, maxAge: 60_000 } })
 * ```
 */
export interface OutboxOptions {
  /** The most stanzas kept while offline; `send()` rejects beyond it. Default 1000. */
  maxStanzas?: number
  /** How long a stanza may wait for the link to come back, in ms, counted from when it was first sent. Default 300000 (5 minutes). */
  maxAge?: number
  /**
   * How many times a message is written in all, when sessions keep ending, unresumed, before the
   * server acknowledges it. Default 3.
   */
  maxAttempts?: number
}

/** Where the outbox writes: the transport, or anything that can tell whether it is up. */
export interface OutboxLink {
  readonly online: boolean
  send(stanza: XmlElement): Promise<void>
}

interface Item {
  readonly stanza: XmlElement
  readonly queuedAt: number
  readonly resolve: () => void
  readonly reject: (error: UndeliveredError) => void
}

/** Nobody awaits a retried stanza: what becomes of it is reported through `onUndelivered`. */
const unawaited = (): void => {}

/** A stanza the link refused for good (too big): waiting for the link would not help. */
function refusedForGood(error: unknown): error is UndeliveredError {
  return error instanceof UndeliveredError
}

/**
 * Outbound stanzas that could not go out yet. While the link is up and nothing waits, `send()`
 * writes straight through; otherwise, or when the write fails because the link is going down, the
 * stanza waits here, in order, until `flush()` after the next login. Bounded in count and age;
 * whatever is given up on is rejected and reported, never dropped silently.
 */
export class Outbox {
  readonly #items: Item[] = []
  readonly #maxStanzas: number
  readonly #maxAge: number
  /** The running flush, if any. */
  #flushing: Promise<void> | undefined
  /** Where the next `retry()` goes: after the retries already queued, before anything newer. */
  #retries = 0
  #expiry: NodeJS.Timeout | undefined
  /** The item being written by `flush()`; it cannot expire any more. */
  #writing: Item | undefined
  #closed = false
  readonly #maxAttempts: number
  /** Messages sent again after a lost session: when first sent, and how often written so far. */
  readonly #resent = new WeakMap<XmlElement, { firstSent: number; attempts: number }>()

  constructor(
    private readonly link: OutboxLink,
    private readonly onUndelivered: (stanza: XmlElement, reason: UndeliveredReason) => void,
    options: OutboxOptions = {},
  ) {
    this.#maxStanzas = options.maxStanzas ?? 1000
    this.#maxAge = options.maxAge ?? 300_000
    this.#maxAttempts = options.maxAttempts ?? 3
  }

  /** Stanzas waiting for the link. */
  get length(): number {
    return this.#items.length
  }

  /** Sends the stanza now or as soon as the bot is back online; resolves once it is written. */
  send(stanza: XmlElement): Promise<void> {
    if (this.#closed) return this.#refuse(stanza, 'stopped')
    if (this.link.online && this.#items.length === 0 && !this.#flushing) {
      // Otherwise a failed write means the socket is going down; the stanza did not leave, so keep it.
      return this.link
        .send(stanza)
        .catch((error: unknown) => (refusedForGood(error) ? this.#refuse(stanza, error.reason) : this.#enqueue(stanza, this.#items.length)))
    }
    return this.#enqueue(stanza, this.#items.length)
  }

  /**
   * Queues again a stanza that was written (at `sentAt`, as `performance.now()`) but never
   * acknowledged by a session that could not be resumed; it goes out before anything queued later.
   * Its age counts from when it was first sent, and it is given up on after `maxAttempts` writes, so
   * that a stanza that keeps ending the session cannot keep the bot from getting anything else out.
   */
  retry(stanza: XmlElement, sentAt: number): void {
    if (this.#closed) {
      this.onUndelivered(stanza, 'stopped')
      return
    }
    const resent = this.#resent.get(stanza) ?? { firstSent: sentAt, attempts: 1 }
    if (resent.attempts >= this.#maxAttempts) {
      this.onUndelivered(stanza, 'unacknowledged')
      return
    }
    resent.attempts += 1
    this.#resent.set(stanza, resent)
    this.#enqueue(stanza, this.#retries++, resent.firstSent).catch(unawaited)
  }

  /**
   * Writes what waits, in order, while the link stays up. Call it once the bot is online again;
   * resolves when done, or when the link went down again (the rest then waits for the next login).
   */
  flush(): Promise<void> {
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = undefined
      this.#scheduleExpiry()
    })
    return this.#flushing
  }

  async #drain(): Promise<void> {
    this.#retries = 0
    for (let item = this.#items[0]; item && this.link.online; item = this.#items[0]) {
      this.#writing = item
      let refused: UndeliveredError | undefined
      try {
        await this.link.send(item.stanza)
      } catch (error) {
        if (!refusedForGood(error)) return
        refused = error
      } finally {
        this.#writing = undefined
      }
      // close() may have taken it meanwhile.
      const index = this.#items.indexOf(item)
      if (index === -1) continue
      this.#items.splice(index, 1)
      if (refused) this.#drop(item, refused.reason)
      else item.resolve()
    }
  }

  /** Gives up on everything still waiting, and refuses anything sent from now on. */
  close(): void {
    this.#closed = true
    clearTimeout(this.#expiry)
    for (const item of this.#items.splice(0)) this.#drop(item, 'stopped')
  }

  #enqueue(stanza: XmlElement, at: number, queuedAt = performance.now()): Promise<void> {
    if (this.#closed) return this.#refuse(stanza, 'stopped')
    if (this.#items.length >= this.#maxStanzas) return this.#refuse(stanza, 'queue-full')
    return new Promise<void>((resolve, reject) => {
      this.#items.splice(at, 0, { stanza, queuedAt, resolve, reject })
      this.#scheduleExpiry()
    })
  }

  #refuse(stanza: XmlElement, reason: UndeliveredReason): Promise<never> {
    this.onUndelivered(stanza, reason)
    return Promise.reject(new UndeliveredError(reason))
  }

  #drop(item: Item, reason: UndeliveredReason): void {
    this.onUndelivered(item.stanza, reason)
    item.reject(new UndeliveredError(reason))
  }

  #scheduleExpiry(): void {
    clearTimeout(this.#expiry)
    const oldest = this.#items.reduce((min, item) => Math.min(min, item.queuedAt), Infinity)
    if (oldest === Infinity) return
    const wait = Math.max(1, Math.ceil(oldest + this.#maxAge - performance.now()))
    this.#expiry = setTimeout(() => this.#expire(), wait).unref()
  }

  #expire(): void {
    const now = performance.now()
    for (let i = this.#items.length - 1; i >= 0; i--) {
      const item = this.#items[i] as Item
      if (item === this.#writing || now - item.queuedAt < this.#maxAge) continue
      this.#items.splice(i, 1)
      if (i < this.#retries) this.#retries -= 1
      this.#drop(item, 'expired')
    }
    this.#scheduleExpiry()
  }
}
