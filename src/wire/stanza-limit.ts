import type { Logger } from '../log/logger.js'
import { NS_STREAM_LIMITS } from '../ns.js'
import type { XmlElement } from '../xml.js'

/**
 * How big a stanza the bot writes: the configured limit, lowered to what the server says it takes
 * (XEP-0478) and to what it has shown it does not, by ending a stream over a stanza. The limit in
 * force is the lane's `maxBytes`, which this sets.
 *
 * @example
 * ```ts
 * const limit = new StanzaLimit(settings.maxStanzaSize, lane, log)
 * limit.offered(features) // on each <stream:features/>
 * limit.refused(biggestUnacknowledged) // when the server ends the stream over a stanza too big
 * ```
 */
export class StanzaLimit {
  /** The smallest limit a server has shown by refusing a stanza as too big; kept across connections. */
  #learned = Number.POSITIVE_INFINITY

  constructor(
    private readonly configured: number,
    private readonly lane: { maxBytes: number },
    private readonly log: Logger,
  ) {}

  /** A new stream's features. */
  offered(features: XmlElement): void {
    // XEP-0478: the server may say how big a stanza it takes.
    const advertised = Number(features.getChild('limits', NS_STREAM_LIMITS)?.getChildText('max-bytes') ?? Number.NaN)
    const configured = Math.min(this.configured, this.#learned)
    this.lane.maxBytes = Number.isInteger(advertised) && advertised > 0 ? Math.min(configured, advertised) : configured
  }

  /**
   * The server ended the stream because a stanza was too big for it. The biggest one it did not
   * acknowledge (`biggest` bytes; 0 when there was none) is the one; from now on nothing that big is
   * written, so that it is refused when it comes up again instead of ending the next stream too.
   */
  refused(biggest: number): void {
    if (biggest === 0) return
    this.#learned = Math.min(this.#learned, biggest - 1)
    this.lane.maxBytes = Math.min(this.lane.maxBytes, this.#learned)
    this.log.warn({ bytes: biggest, limit: this.lane.maxBytes }, 'the server refused a stanza as too big; nothing that big is sent again')
  }
}
