import type { StanzaContext } from '../dispatch/context/stanza-context.js'
import type { UndeliveredReason } from '../errors.js'
import type { XmlElement } from '../xml.js'

/**
 * Lifecycle events a bot emits, and what their listeners get.
 *
 * @example
 * ```ts
 * bot.on('reconnecting', ({ attempt, delay }) => bot.log.warn({ attempt, delay }, 'server unreachable'))
 * ```
 */
export interface BotEvents {
  /** Online: after the first connect, and after every reconnect (`resumed` when the old session went on). */
  ready: { jid: string; resumed: boolean }
  /** The link dropped; natter is about to reconnect. */
  disconnected: { error: Error | undefined }
  /** A connection attempt failed; the next one comes after `delay` ms. */
  reconnecting: { attempt: number; delay: number }
  /** The bot cannot go on (a `FatalError`) and has stopped. */
  error: Error
  /** natter gave up on sending a stanza; see `UndeliveredError`. */
  undelivered: { stanza: XmlElement; reason: UndeliveredReason }
  /**
   * A stanza came in from the server, or the bot sent one (through `send()`, its presence, an IQ
   * answer, whose type is not known yet): its element name and `type` attribute. For counting: a
   * listener runs on the hot path, so it must be cheap.
   */
  stanza: { direction: 'in' | 'out'; name: string; type: string | undefined }
  /** The handler chain of one inbound stanza ended: its kind, how long it ran in ms, whether it failed. */
  handled: { kind: string; ms: number; failed: boolean }
  /**
   * A middleware or handler threw while handling a stanza: the error, the stanza's context, and the
   * short reference the log line carries (what the sender's "something went wrong" reply shows).
   */
  failed: { error: unknown; ctx: StanzaContext; ref: string }
}
