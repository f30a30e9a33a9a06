import type { XmlElement } from '../xml.js'
import { StanzaContext, type BotLink } from './base.js'

/**
 * An IQ get or set addressed to the bot. The handler's return value becomes the result: an element
 * is sent as the result's payload, anything else as an empty result. Throw a `StanzaError` to answer
 * with that error.
 *
 * @example
 * ```ts
 * bot.iq({ type: 'get', xmlns: 'urn:xmpp:time' }, () => xml('time', { xmlns: 'urn:xmpp:time' }, xml('utc', {}, new Date().toISOString())))
 * ```
 */
export class IqContext extends StanzaContext {
  readonly kind = 'iq'
  readonly type: 'get' | 'set'
  /** The request's payload: the IQ's one child element. */
  readonly query: XmlElement
  /** The payload's namespace. */
  readonly xmlns: string
  /** The payload's element name. */
  readonly element: string

  constructor(stanza: XmlElement, query: XmlElement, link: BotLink) {
    super(stanza, link)
    this.type = stanza.attrs.type === 'set' ? 'set' : 'get'
    this.query = query
    this.xmlns = query.getNS() ?? ''
    this.element = query.name
  }
}
