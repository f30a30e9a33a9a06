import { NS_SM } from '../ns.js'
import { type XmlElement, xml } from '../xml.js'
import { AckWindow } from './ack-window.js'
import type { AckState } from './xmppjs.js'

/** The elements XEP-0198 counts and the size limit applies to, as opposed to the stream's own. */
export const STANZAS: ReadonlySet<string> = new Set(['message', 'presence', 'iq'])
/** Outbound stanzas between natter's own requests for an ack (XEP-0198 `<r/>`). */
const ACK_EVERY = 100
/** A pause in sending after which the server is asked for an ack, as xmpp.js does. */
const ACK_PAUSE_MS = 250
/**
 * Under steady load there is no pause: the server is asked all the same once the oldest stanza not asked about
 * is this old, so that what a session lost unresumed leaves unacknowledged (and the outbox sends again, maybe
 * twice: the server may have delivered it) is half a second's worth, not up to ACK_EVERY stanzas.
 */
const ACK_LATEST_MS = 500
/** The smallest and largest window of unacknowledged output, in characters (see {@link AckWindow}). */
const MIN_WINDOW_CHARS = 16 * 1024
const MAX_WINDOW_CHARS = 64 * 1024

/** What the queue writes to and reports to. */
export interface AckLink {
  /** Writes an element of stream management's own (`<r/>`, `<a/>`) at once. */
  write(element: XmlElement): Promise<void>
  /** The server acknowledged stanzas: more may be on their way now. */
  acknowledged(): void
  /** A stanza written to a session that ended, unresumed, before the server acknowledged it; `sentAt` as `performance.now()`. */
  undelivered(stanza: XmlElement, sentAt: number): void
}

/**
 * natter's side of XEP-0198 acks: what was written and not yet acknowledged, in xmpp.js's own queue
 * (which xmpp.js still takes acks off and resends on resume), when to ask the server for an ack, how
 * much may await one (an {@link AckWindow}), and the count `h` of stanzas received, which answers the
 * server's `<r/>`.
 *
 * @example
 * ```ts
 * const acks = new AckQueue(xmpp.streamManagement, { write, acknowledged: () => lane.wake(), undelivered })
 * acks.queue(stanza, text.length) // as each element is written
 * acks.acknowledged(Number(a.attrs.h)) // on the server's <a/>
 * ```
 */
export class AckQueue {
  readonly #window = new AckWindow(MIN_WINDOW_CHARS, MAX_WINDOW_CHARS)
  /** Stanzas received since `<enabled/>`: XEP-0198's inbound `h`. */
  #received = 0
  /** When the last stanza was queued for an ack, as `performance.now()`. */
  #lastQueued = 0
  #ackPause: NodeJS.Timeout | undefined
  /** When the ack timer was armed: the oldest stanza it covers was queued then. */
  #ackArmedAt = 0
  /** The second of the last timestamp made for the queue, and its text. */
  #stampSecond = 0
  #stampText = ''
  /** Characters written since stream management began counting (where each queued stanza starts). */
  #sentChars = 0
  /** Stanzas and characters written since natter last asked for an ack. */
  #sinceAckRequest = 0
  #charsSinceAckRequest = 0

  constructor(
    private readonly sm: AckState,
    private readonly link: AckLink,
  ) {}

  /** Whether the server agreed to stream management on this stream. */
  get enabled(): boolean {
    return this.sm.enabled
  }

  /** Stanzas received since `<enabled/>`, the `h` natter acknowledges. */
  get received(): number {
    return this.#received
  }

  /** One more stanza received and handled. */
  countReceived(): void {
    this.#received += 1
  }

  /** The server enabled stream management (`<enabled/>`): the count of what comes in starts from zero. */
  restartCount(): void {
    this.#received = 0
  }

  /** Answers the server's `<r/>` with the count of stanzas received. */
  answerRequest(): void {
    this.link.write(xml('a', { xmlns: NS_SM, h: this.#received })).catch(() => {})
  }

  /**
   * Stream management's bookkeeping of what was sent, which xmpp.js does in its outbound middleware at a
   * price per stanza (two JIDs parsed, a timestamp formatted, two timers reset): natter keeps xmpp.js's
   * queue itself, which xmpp.js still acks, resends on resume and fails as before. It also asks for an
   * ack every ACK_EVERY stanzas, not only once sending pauses as xmpp.js does: under steady load the
   * queue would otherwise grow without bound, and the ack that finally came would shift that array one
   * item at a time (a sixth of an echo bot's CPU at a few thousand messages a second).
   */
  queue(element: XmlElement, chars: number): void {
    const sm = this.sm
    // Stanzas sent between <enable/> and <enabled/> count too.
    if (element.is('enable', NS_SM)) sm.enableSent = true
    if (!STANZAS.has(element.name) || !(sm.enabled || sm.enableSent)) return
    const now = performance.now()
    sm.outbound_q.push({ stanza: element, stamp: this.#stamp(), start: this.#sentChars, at: now })
    this.#sentChars += chars
    this.#charsSinceAckRequest += chars
    // Several acks on their way per window, so that the window keeps moving.
    if (sm.enabled && (++this.#sinceAckRequest >= ACK_EVERY || this.#charsSinceAckRequest >= this.#window.size / 4)) this.#requestAck()
    this.#lastQueued = now
    if (this.#ackPause) return
    this.#ackArmedAt = now
    this.#ackPause = setTimeout(() => this.#ackAfterPause(), ACK_PAUSE_MS).unref()
  }

  /**
   * Whether what awaits the server's ack leaves room in the window for another stanza; one may always
   * be on its way. When it does not, the window learns that it held the bot back.
   */
  hasRoom(): boolean {
    const sm = this.sm
    const first = sm.outbound_q[0]
    if (!sm.enabled || !first) return true
    if (this.#sentChars - (first.start ?? 0) < this.#window.size) return true
    this.#window.blocked()
    return false
  }

  /**
   * The server acknowledged the bot's stanzas up to `h` (XEP-0198 `<a/>`): off the queue of what may
   * have to be resent, all at once (xmpp.js shifts them one by one, each with an event), and the lane
   * may go on.
   */
  acknowledged(h: number): void {
    const sm = this.sm
    if (!sm.enabled || !Number.isInteger(h)) return
    const acked = Math.min(Math.max(h - sm.outbound, 0), sm.outbound_q.length)
    sm.outbound_q.splice(0, acked)
    sm.outbound += acked
    this.#window.acknowledged(sm.outbound_q[0]?.start ?? this.#sentChars)
    this.link.acknowledged()
  }

  /**
   * When a resume fails, the server may say in `<failed h/>` how many of the bot's stanzas it got;
   * xmpp.js ignores that and reports them all as failed. Take the delivered ones off its queue first,
   * so that they are not sent twice.
   */
  resumeFailed(handled: number): void {
    const sm = this.sm
    if (!sm.id || !Number.isInteger(handled)) return
    const delivered = Math.min(Math.max(handled - sm.outbound, 0), sm.outbound_q.length)
    sm.outbound_q.splice(0, delivered)
    sm.outbound += delivered
    this.#failUnacknowledged()
  }

  /** The link went down: no more asking for acks on it. */
  disconnected(): void {
    clearTimeout(this.#ackPause)
    this.#ackPause = undefined
    // Without a session to resume (the link died before <enabled/>, or the server allows no resumption),
    // what stream management holds will never be resent; xmpp.js would keep it, and then fail the next
    // <enable/> over a queue that should be empty. Report it instead.
    if (!this.sm.id) this.#failUnacknowledged()
  }

  /** The size of the biggest stanza awaiting an ack, in bytes of UTF-8; 0 when none does. */
  biggestUnacknowledged(): number {
    let biggest = 0
    for (const { stanza } of this.sm.outbound_q) biggest = Math.max(biggest, Buffer.byteLength(stanza.toString()))
    return biggest
  }

  /** Reports what the server never acknowledged, with when it was written; xmpp.js then finds its queue empty. */
  #failUnacknowledged(): void {
    const sm = this.sm
    for (const { stanza, at } of sm.outbound_q.splice(0)) this.link.undelivered(stanza, at ?? performance.now())
    sm.outbound = 0
  }

  /** Asks for an ack once nothing was queued for ACK_PAUSE_MS, or ACK_LATEST_MS on; one timer, re-armed, not one per stanza. */
  #ackAfterPause(): void {
    const now = performance.now()
    const quiet = now - this.#lastQueued
    const waited = now - this.#ackArmedAt
    if (quiet < ACK_PAUSE_MS && waited < ACK_LATEST_MS) {
      this.#ackPause = setTimeout(() => this.#ackAfterPause(), Math.min(ACK_PAUSE_MS - quiet, ACK_LATEST_MS - waited)).unref()
      return
    }
    this.#ackPause = undefined
    const sm = this.sm
    if (sm.enabled && sm.outbound_q.length > 0) this.#requestAck()
  }

  #requestAck(): void {
    this.#sinceAckRequest = 0
    this.#charsSinceAckRequest = 0
    this.link.write(xml('r', { xmlns: NS_SM })).catch(() => {})
  }

  /** XEP-0203's form of now, to the second, as xmpp.js stamps what it may resend; made once a second. */
  #stamp(): string {
    const second = Math.floor(Date.now() / 1000)
    if (second !== this.#stampSecond) {
      this.#stampSecond = second
      this.#stampText = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`
    }
    return this.#stampText
  }
}
