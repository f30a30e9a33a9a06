import { StanzaError } from '../../errors.js'
import type { XmlElement } from '../../xml.js'
import { defineKind } from '../stanza-kind.js'
import { type ContextLink, StanzaContext } from './stanza-context.js'

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

  constructor(stanza: XmlElement, query: XmlElement, link: ContextLink) {
    super(stanza, link)
    this.type = stanza.attrs.type === 'set' ? 'set' : 'get'
    this.query = query
    this.xmlns = query.getNS() ?? ''
    this.element = query.name
  }
}

/**
 * IQ get and set requests addressed to the bot. A request must carry exactly one payload element
 * (RFC 6120, 8.2.3): anything else is answered `bad-request` before handlers see it.
 *
 * @example
 * ```ts
 * bot.iq({ type: 'get', xmlns: 'urn:xmpp:time', element: 'time' }, () => xml('time', { xmlns: 'urn:xmpp:time' }))
 * ```
 */
export const iqKind = defineKind({
  name: 'iq',
  element: 'iq',
  fields: ['from', 'to', 'id', 'type', 'xmlns', 'element', 'lang'],
  indexed: ['xmlns', 'from', 'type'],
  jidFields: ['from', 'to'],
  accepts: () => true,
  create: (stanza, link) => {
    const [query, extra] = stanza.getChildElements()
    if (!query || extra) throw new StanzaError('bad-request', 'modify', 'an IQ request carries exactly one payload element')
    return new IqContext(stanza, query, link)
  },
})

/**
 * Fields an IQ guard can test.
 *
 * @example
 * ```ts
 * bot.iq({ type: 'get', xmlns: 'urn:example:weather', element: 'query' }, (iq) => xml('query', { xmlns: 'urn:example:weather' }, 'sunny'))
 * ```
 */
export type IqField = (typeof iqKind.fields)[number]
