import { type ContextLink, StanzaContext } from '../../dispatch/context/stanza-context.js'
import { defineKind } from '../../dispatch/stanza-kind.js'
import { NS_PUBSUB_EVENT } from '../../ns.js'
import type { XmlElement } from '../../xml.js'

/**
 * One item of a node: its id and its payload, the one element it carries (undefined when the
 * service sent the id only).
 *
 * @example
 * ```ts
 * const titles = (await bot.pubsub.items('urn:xmpp:microblog:0')).map((item) => item.payload?.getChildText('title'))
 * ```
 */
export interface PubSubItem {
  readonly id: string
  readonly payload: XmlElement | undefined
}

/**
 * A PubSub event (XEP-0060): a node of a service, or of a contact's PEP (XEP-0163), changed. `from` is
 * the service, or the contact whose PEP it is.
 *
 * @example
 * ```ts
 * bot.pubsubEvent({ node: 'urn:xmpp:microblog:0' }, (event) => {
 *   for (const item of event.items) event.log.info({ from: event.from, id: item.id }, 'new post')
 * })
 * ```
 */
export class PubSubEventContext extends StanzaContext {
  readonly kind = 'pubsubEvent'
  /** The node that changed. */
  readonly node: string
  /** Items published (or sent again), in the order the service gave them. */
  readonly items: readonly PubSubItem[]
  /** The ids of items retracted. */
  readonly retracted: readonly string[]
  /** Whether the node was purged (every item removed) or deleted. */
  readonly purged: boolean
  readonly deleted: boolean

  constructor(stanza: XmlElement, event: XmlElement, link: ContextLink) {
    super(stanza, link)
    const items = event.getChild('items')
    const other = event.getChild('purge') ?? event.getChild('delete') ?? event.getChild('configuration')
    this.node = items?.attrs.node ?? other?.attrs.node ?? ''
    this.items = (items?.getChildren('item') ?? []).map((item) => ({ id: item.attrs.id ?? '', payload: item.getChildElements()[0] }))
    this.retracted = (items?.getChildren('retract') ?? []).flatMap((r) => (r.attrs.id === undefined ? [] : [r.attrs.id]))
    this.purged = event.getChild('purge') !== undefined
    this.deleted = event.getChild('delete') !== undefined
  }
}

/**
 * Fields a PubSub event guard can test.
 *
 * @example
 * ```ts
 * bot.pubsubEvent({ node: 'urn:xmpp:microblog:0', from: 'alice@example.org' }, (event) => event.log.info(event.items))
 * ```
 */
export type PubSubEventField = 'from' | 'node'

declare module '../../dispatch/composer.js' {
  interface StanzaKinds {
    pubsubEvent: { context: PubSubEventContext; field: PubSubEventField }
  }
}

/** Messages that carry a PubSub event: their own kind, so chat handlers never see them. */
export const pubsubEventKind = defineKind<PubSubEventContext, PubSubEventField>({
  name: 'pubsubEvent',
  element: 'message',
  fields: ['from', 'node'],
  indexed: ['node', 'from'],
  jidFields: ['from'],
  accepts: (stanza) => stanza.attrs.type !== 'error' && stanza.getChild('event', NS_PUBSUB_EVENT) !== undefined,
  create: (stanza, link) => {
    const event = stanza.getChild('event', NS_PUBSUB_EVENT)
    return event && new PubSubEventContext(stanza, event, link)
  },
})
