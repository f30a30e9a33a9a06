import type { IqAnswer } from '../iq-answer.js'
import type { Logger } from '../log/logger.js'
import { NS_SM } from '../ns.js'
import type { XmlElement } from '../xml.js'
import { type AckQueue, STANZAS } from './ack-queue.js'
import { ReplayFilter } from './replay-filter.js'

/** The part of xmpp.js the receiver hands on to. */
export interface ReceiverLink {
  /** xmpp.js's middleware, for the elements natter leaves to it. */
  toMiddleware(element: XmlElement): void
  /** Reports a failure of the bot's handling as xmpp.js's middleware reports one. */
  raise(error: unknown): void
}

/**
 * Every element from the server, in order. XEP-0198's `h` counts the stanzas received since
 * `<enabled/>`. xmpp.js counts in a middleware that runs after its IQ caller and callee, so stanzas
 * they consume are missed, and resets the count a few microtasks after `<enabled/>`, so stanzas parsed
 * from the same chunk are lost: either way a resumed session gets stanzas again that the bot already
 * handled. natter counts here instead, before anything handles the element, and xmpp.js reads it.
 *
 * xmpp.js runs every element through its middleware: a context with both JIDs parsed (each checked
 * for XEP-0106 escapes: a tenth of a bare xmpp.js bot's JavaScript time per echo), the chain composed
 * anew, a promise per layer.
 * Messages, presence and the server's ack requests need none of its layers (natter counts inbound
 * stanzas and checks liveness itself), so they skip it; IQs and other elements still go through it.
 *
 * @example
 * ```ts
 * const receiver = new Receiver(xmpp, acks, (stanza) => bot.receive(stanza), log)
 * receiver.receive(element) // for each element parsed
 * ```
 */
export class Receiver {
  readonly #replays = new ReplayFilter()
  /** Set by hold(): inbound stanzas are no longer acknowledged. */
  #holding = false
  /** When the last element came in from the server, as `performance.now()`; a connection attempt starts it anew. */
  lastActivity = performance.now()

  constructor(
    private readonly xmpp: ReceiverLink,
    private readonly acks: AckQueue,
    private readonly onStanza: (stanza: XmlElement) => IqAnswer | Promise<IqAnswer>,
    private readonly log: Logger,
  ) {}

  /**
   * Stops acknowledging inbound stanzas, for a shutdown: they still reach the bot, which refuses
   * them, and once the stream is closed the server treats them as never delivered (Prosody stores
   * messages for the account's next session) instead of losing them.
   */
  hold(): void {
    this.#holding = true
  }

  receive(element: XmlElement): void {
    this.lastActivity = performance.now()
    const { name } = element
    if (STANZAS.has(name) && !this.#holding) this.acks.countReceived()
    if (name === 'message' || name === 'presence') return this.#deliver(element)
    if (element.is('r', NS_SM)) return this.acks.answerRequest()
    if (element.is('a', NS_SM)) return this.acks.acknowledged(Number(element.attrs.h))
    if (element.is('enabled', NS_SM)) this.acks.restartCount()
    else if (element.is('failed', NS_SM)) this.acks.resumeFailed(Number(element.attrs.h ?? Number.NaN))
    this.xmpp.toMiddleware(element)
  }

  /** A message or presence, to the bot; a failure, like one in xmpp.js's middleware, is an `error` event. */
  #deliver(stanza: XmlElement): void {
    if (stanza.name === 'message' && !this.#holding && this.#replays.isReplay(stanza)) {
      this.log.info({ from: stanza.attrs.from, id: stanza.attrs.id }, 'ignored a message delivered again after a reconnect')
      return
    }
    try {
      const handled = this.onStanza(stanza)
      if (handled instanceof Promise) handled.catch((error: unknown) => this.xmpp.raise(error))
    } catch (error) {
      this.xmpp.raise(error)
    }
  }
}
