import { bareJid } from '../../jid.js'
import { type XmlElement, xml } from '../../xml.js'
import { defineKind } from '../stanza-kind.js'
import { type ContextLink, StanzaContext } from './stanza-context.js'

/**
 * The presence types that manage subscriptions (RFC 6121, section 3).
 *
 * @example
 * ```ts
 * bot.subscription({ type: 'unsubscribed' }, (sub) => sub.log.info({ from: sub.from }, 'no longer sees us'))
 * ```
 */
export type SubscriptionType = 'subscribe' | 'subscribed' | 'unsubscribe' | 'unsubscribed'

/**
 * A subscription request or answer, with the replies a bot gives to it.
 *
 * @example
 * ```ts
 * bot.subscription({ type: 'subscribe' }, (req) => req.approve())
 * ```
 */
export class SubscriptionContext extends StanzaContext {
  readonly kind = 'subscription'
  readonly type: SubscriptionType

  constructor(stanza: XmlElement, link: ContextLink) {
    super(stanza, link)
    this.type = stanza.attrs.type as SubscriptionType
  }

  /** Lets the sender see the bot's presence (`subscribed`). */
  approve(): Promise<void> {
    return this.#presence('subscribed')
  }

  /** Refuses, or revokes, the sender's subscription (`unsubscribed`). */
  deny(): Promise<void> {
    return this.#presence('unsubscribed')
  }

  /** Asks to see the sender's presence in turn (`subscribe`). */
  subscribeBack(): Promise<void> {
    return this.#presence('subscribe')
  }

  #presence(type: SubscriptionType): Promise<void> {
    return this.send(xml('presence', { to: bareJid(this.from), type }))
  }
}

const SUBSCRIPTION_TYPES: ReadonlySet<string | undefined> = new Set(['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed'])

/**
 * Presence stanzas that manage subscriptions: subscribe, subscribed, unsubscribe, unsubscribed.
 *
 * @example
 * ```ts
 * bot.subscription({ type: 'subscribe' }, (req) => req.approve())
 * ```
 */
export const subscriptionKind = defineKind({
  name: 'subscription',
  element: 'presence',
  fields: ['from', 'to', 'id', 'type', 'lang'],
  indexed: ['from', 'type'],
  jidFields: ['from', 'to'],
  accepts: (stanza) => SUBSCRIPTION_TYPES.has(stanza.attrs.type),
  create: (stanza, link) => new SubscriptionContext(stanza, link),
})

/**
 * Fields a subscription guard can test.
 *
 * @example
 * ```ts
 * bot.subscription({ type: 'subscribe', from: /@example\.org$/ }, (req) => req.approve())
 * ```
 */
export type SubscriptionField = (typeof subscriptionKind.fields)[number]
