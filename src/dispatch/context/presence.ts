import type { XmlElement } from '../../xml.js'
import { defineKind } from '../stanza-kind.js'
import { type ContextLink, StanzaContext } from './stanza-context.js'

/**
 * `available` stands for a presence without a type.
 *
 * @example
 * ```ts
 * bot.presence({ type: 'unavailable' }, (p) => p.log.info({ from: p.from }, 'went offline'))
 * ```
 */
export type PresenceType = 'available' | 'unavailable' | 'probe' | 'error'

/**
 * The `<show/>` values of RFC 6121; `undefined` means plainly available.
 *
 * @example
 * ```ts
 * await bot.setStatus('away', 'Back in ten minutes')
 * ```
 */
export type Show = 'away' | 'chat' | 'dnd' | 'xa'

const SHOWS: readonly string[] = ['away', 'chat', 'dnd', 'xa']

/**
 * A contact's presence: availability, show, status and priority. Subscription requests come to
 * `bot.subscription` instead.
 *
 * @example
 * ```ts
 * bot.presence({ type: 'available', show: 'dnd' }, (p) => p.log.info(`${p.from} is busy: ${p.status}`))
 * ```
 */
export class PresenceContext extends StanzaContext {
  readonly kind = 'presence'
  readonly type: PresenceType
  readonly show: Show | undefined
  readonly status: string | undefined
  /** Priority from -128 to 127; 0 when absent or malformed. */
  readonly priority: number

  constructor(stanza: XmlElement, link: ContextLink) {
    super(stanza, link)
    const type = stanza.attrs.type
    this.type = type === 'unavailable' || type === 'probe' || type === 'error' ? type : 'available'
    const show = stanza.getChildText('show') ?? undefined
    this.show = show !== undefined && SHOWS.includes(show) ? (show as Show) : undefined
    this.status = stanza.getChildText('status') ?? undefined
    const priority = Number.parseInt(stanza.getChildText('priority') ?? '0', 10)
    this.priority = Number.isInteger(priority) && priority >= -128 && priority <= 127 ? priority : 0
  }
}

/**
 * Contacts' presence: available, unavailable, probe and error. Subscription requests and answers
 * are a kind of their own (see `subscriptionKind`).
 *
 * @example
 * ```ts
 * bot.presence({ type: 'unavailable' }, (p) => p.log.info(`${p.from} left`))
 * ```
 */
export const presenceKind = defineKind({
  name: 'presence',
  element: 'presence',
  fields: ['from', 'to', 'id', 'type', 'show', 'status', 'priority', 'lang'],
  indexed: ['from', 'type'],
  jidFields: ['from', 'to'],
  accepts: () => true,
  create: (stanza, link) => new PresenceContext(stanza, link),
})

/**
 * Fields a presence guard can test.
 *
 * @example
 * ```ts
 * bot.presence({ type: 'available', show: 'dnd' }, (p) => p.log.info({ from: p.from }, 'busy'))
 * ```
 */
export type PresenceField = (typeof presenceKind.fields)[number]
