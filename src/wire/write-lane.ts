import { UndeliveredError } from '../errors.js'
import type { Rate } from '../pacing/token-buckets.js'
import type { XmlElement } from '../xml.js'

/** What the lane writes to: the stream, and whether it takes more right now. */
export interface LaneLink {
  /**
   * Whether another stanza may be written now: false while the socket's buffer is full, or while
   * as much as the server should hold unacknowledged is on its way. The link calls
   * {@link WriteLane.wake} once that changes.
   */
  readonly ready: boolean
  /** Writes the stanza as `text`; resolves once the socket took it, rejects when it is closed. */
  write(stanza: XmlElement, text: string): Promise<void>
}

/** How big and how fast. */
export interface LaneOptions {
  /** The largest stanza written, in bytes of UTF-8. */
  maxBytes: number
  /** How fast stanzas may go out; without it, as fast as the link takes them. */
  rate?: Rate | undefined
  now?: () => number
}

interface Waiting {
  readonly stanza: XmlElement
  readonly text: string
  readonly resolve: () => void
  readonly reject: (error: Error) => void
}

/**
 * The way out for the bot's stanzas: in order, never bigger than the server takes, never faster
 * than the socket drains or the server acknowledges (so a throttling server sees a client that
 * slows down, not one whose acks and pings wait behind megabytes), and at most at `rate`. What
 * cannot go yet waits here; the caller's promise resolves once its stanza is written.
 *
 * @example
 * ```ts
 * const lane = new WriteLane(link, { maxBytes: 262_144, rate: { rate: 20, burst: 20 } })
 * await lane.send(message)
 * ```
 */
export class WriteLane {
  #waiting: Array<Waiting | undefined> = []
  /** Where the oldest waiting stanza is; the array is compacted now and then instead of shifted. */
  #head = 0
  #tokens: number
  #refilledAt: number
  #timer: NodeJS.Timeout | undefined
  readonly #now: () => number

  /** The largest stanza written, in bytes; lowered when the server turns out to take less. */
  maxBytes: number

  constructor(
    private readonly link: LaneLink,
    private readonly options: LaneOptions,
  ) {
    this.maxBytes = options.maxBytes
    this.#now = options.now ?? (() => performance.now())
    this.#tokens = options.rate?.burst ?? 0
    this.#refilledAt = this.#now()
  }

  /** Stanzas waiting for their turn. */
  get waiting(): number {
    return this.#waiting.length - this.#head
  }

  /**
   * Writes the stanza after those already waiting. Rejects with `UndeliveredError('too-big')`
   * when it is over {@link maxBytes}; nothing of it is written then.
   */
  send(stanza: XmlElement): Promise<void> {
    const text = stanza.toString()
    if (overBytes(text, this.maxBytes)) return Promise.reject(new UndeliveredError('too-big'))
    if (this.waiting === 0 && this.link.ready && this.#take()) return this.link.write(stanza, text)
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ stanza, text, resolve, reject })
      this.#pump()
    })
  }

  /** The link takes more again: its socket drained, or the server acknowledged what it got. */
  wake(): void {
    if (this.waiting > 0) this.#pump()
  }

  /** The link is gone: everything waiting is rejected with `error`, in order, to be kept by whoever sent it. */
  fail(error: Error): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const waiting = this.#waiting
    const head = this.#head
    this.#waiting = []
    this.#head = 0
    for (let i = head; i < waiting.length; i++) waiting[i]?.reject(error)
  }

  #pump(): void {
    while (this.waiting > 0 && this.link.ready) {
      if (!this.#take()) {
        this.#timer ??= setTimeout(() => {
          this.#timer = undefined
          this.#pump()
        }, this.#untilToken())
        return
      }
      const item = this.#waiting[this.#head] as Waiting
      this.#waiting[this.#head++] = undefined
      // The limit may have been lowered meanwhile.
      if (overBytes(item.text, this.maxBytes)) item.reject(new UndeliveredError('too-big'))
      else this.link.write(item.stanza, item.text).then(item.resolve, item.reject)
    }
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head)
      this.#head = 0
    }
  }

  #take(): boolean {
    const rate = this.options.rate
    if (!rate) return true
    const now = this.#now()
    this.#tokens = Math.min(rate.burst, this.#tokens + ((now - this.#refilledAt) / 1000) * rate.rate)
    this.#refilledAt = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }

  #untilToken(): number {
    const rate = this.options.rate as Rate
    return Math.max(1, Math.ceil(((1 - this.#tokens) / rate.rate) * 1000))
  }
}

/**
 * Whether `text` is more than `max` bytes of UTF-8. A string's UTF-8 is at least as long as the string and at
 * most three times as long, so most texts are decided without encoding them.
 *
 * @example
 * ```ts
 * if (overBytes(stanza.toString(), 262_144)) throw new UndeliveredError('too-big')
 * ```
 */
export function overBytes(text: string, max: number): boolean {
  if (text.length * 3 <= max) return false
  return text.length > max || Buffer.byteLength(text) > max
}
