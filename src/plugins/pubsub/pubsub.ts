import type { BotCore } from '../../bot/bot-core.js'
import type { Exact, Guards, Narrow } from '../../dispatch/guards.js'
import type { Handler } from '../../dispatch/router.js'
import type { StanzaKind } from '../../dispatch/stanza-kind.js'
import { bareJid } from '../../jid.js'
import { NS_PUBSUB, NS_PUBSUB_NODE_CONFIG, NS_PUBSUB_OWNER, NS_PUBSUB_PUBLISH_OPTIONS } from '../../ns.js'
import { type XmlElement, xml } from '../../xml.js'
import type { DiscoveryFeature } from '../discovery/discovery.js'
import { type NodeConfig, submitForm } from './config-form.js'
import { type PubSubEventContext, type PubSubEventField, type PubSubItem, pubsubEventKind } from './event.js'

/**
 * Where a PubSub request goes: a service's JID (`pubsub.example.org`), or, without it, the bot's
 * own PEP (XEP-0163) on its account.
 *
 * @example
 * ```ts
 * await bot.pubsub.subscribe('news', { service: 'pubsub.example.org' })
 * ```
 */
export interface PubSubTarget {
  service?: string
}

/**
 * What a publish can say besides the payload: the item's id (the service picks one without it) and
 * publish options (XEP-0060, 7.1.5), which a PEP service also uses to create the node as asked.
 *
 * @example
 * ```ts
 * await bot.pubsub.publish('urn:example:status', payload, { id: 'current', options: { 'pubsub#access_model': 'open' } })
 * ```
 */
export interface PublishOptions extends PubSubTarget {
  id?: string
  options?: NodeConfig
}

/**
 * Publish-subscribe (XEP-0060) on a service, or on the bot's own PEP (XEP-0163) when no `service` is
 * given. Every call resolves once the service agreed, and rejects with a `StanzaError` when it refused.
 *
 * @example
 * ```ts
 * const id = await bot.pubsub.publish('urn:xmpp:microblog:0', xml('entry', { xmlns: 'http://www.w3.org/2005/Atom' }, xml('title', {}, 'Deployed')))
 * ```
 */
export class PubSub {
  /** @internal Made by the {@link pubsub} feature. */
  constructor(private readonly bot: BotCore) {}

  /**
   * Publishes `payload` as an item of `node`; resolves with the item's id.
   *
   * @example
   * ```ts
   * await bot.pubsub.publish('urn:example:weather', xml('weather', { xmlns: 'urn:example:weather' }, 'sunny'), { id: 'today' })
   * ```
   */
  async publish(node: string, payload: XmlElement, options: PublishOptions = {}): Promise<string> {
    const reply = await this.#request(
      options,
      'set',
      xml(
        'pubsub',
        { xmlns: NS_PUBSUB },
        xml('publish', { node }, xml('item', { id: options.id }, payload)),
        options.options && xml('publish-options', {}, submitForm(NS_PUBSUB_PUBLISH_OPTIONS, options.options)),
      ),
    )
    return reply.getChild('pubsub', NS_PUBSUB)?.getChild('publish')?.getChild('item')?.attrs.id ?? options.id ?? ''
  }

  /**
   * Removes an item from `node`, telling the subscribers.
   *
   * @example
   * ```ts
   * await bot.pubsub.retract('urn:xmpp:microblog:0', 'post-1')
   * ```
   */
  async retract(node: string, id: string, target: PubSubTarget = {}): Promise<void> {
    await this.#request(target, 'set', xml('pubsub', { xmlns: NS_PUBSUB }, xml('retract', { node, notify: 'true' }, xml('item', { id }))))
  }

  /**
   * Fetches the items of `node`: all the service gives, the `max` latest, or those of `ids`.
   *
   * @example
   * ```ts
   * const [latest] = await bot.pubsub.items('urn:xmpp:microblog:0', { service: 'alice@example.org', max: 1 })
   * ```
   */
  async items(node: string, options: PubSubTarget & { max?: number; ids?: readonly string[] } = {}): Promise<PubSubItem[]> {
    const reply = await this.#request(
      options,
      'get',
      xml(
        'pubsub',
        { xmlns: NS_PUBSUB },
        xml(
          'items',
          { node, max_items: options.max === undefined ? undefined : String(options.max) },
          (options.ids ?? []).map((id) => xml('item', { id })),
        ),
      ),
    )
    const items = reply.getChild('pubsub', NS_PUBSUB)?.getChild('items')?.getChildren('item') ?? []
    return items.map((item) => ({ id: item.attrs.id ?? '', payload: item.getChildElements()[0] }))
  }

  /**
   * Subscribes the bot (its bare JID) to `node`; its events then reach `bot.pubsubEvent()` handlers.
   *
   * @example
   * ```ts
   * await bot.pubsub.subscribe('releases', { service: 'pubsub.example.org' })
   * ```
   */
  async subscribe(node: string, target: PubSubTarget = {}): Promise<void> {
    await this.#request(target, 'set', xml('pubsub', { xmlns: NS_PUBSUB }, xml('subscribe', { node, jid: this.#ownBare() })))
  }

  /**
   * Ends the bot's subscription to `node`.
   *
   * @example
   * ```ts
   * await bot.pubsub.unsubscribe('releases', { service: 'pubsub.example.org' })
   * ```
   */
  async unsubscribe(node: string, target: PubSubTarget = {}): Promise<void> {
    await this.#request(target, 'set', xml('pubsub', { xmlns: NS_PUBSUB }, xml('unsubscribe', { node, jid: this.#ownBare() })))
  }

  /**
   * Creates `node`, configured with `config` when given (fields of `pubsub#node_config`).
   *
   * @example
   * ```ts
   * await bot.pubsub.create('urn:example:alerts', { config: { 'pubsub#access_model': 'presence', 'pubsub#max_items': 20 } })
   * ```
   */
  async create(node: string, options: PubSubTarget & { config?: NodeConfig } = {}): Promise<void> {
    await this.#request(
      options,
      'set',
      xml('pubsub', { xmlns: NS_PUBSUB }, xml('create', { node }), options.config && xml('configure', {}, submitForm(NS_PUBSUB_NODE_CONFIG, options.config))),
    )
  }

  /**
   * Changes the configuration of a node the bot owns; fields not given keep their values.
   *
   * @example
   * ```ts
   * await bot.pubsub.configure('urn:example:alerts', { 'pubsub#max_items': 50 })
   * ```
   */
  async configure(node: string, config: NodeConfig, target: PubSubTarget = {}): Promise<void> {
    await this.#request(target, 'set', xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('configure', { node }, submitForm(NS_PUBSUB_NODE_CONFIG, config))))
  }

  /**
   * Deletes a node the bot owns, with its items.
   *
   * @example
   * ```ts
   * await bot.pubsub.delete('urn:example:alerts')
   * ```
   */
  async delete(node: string, target: PubSubTarget = {}): Promise<void> {
    await this.#request(target, 'set', xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('delete', { node })))
  }

  #request(target: PubSubTarget, type: 'get' | 'set', payload: XmlElement): Promise<XmlElement> {
    return this.bot.request({ to: target.service, type, payload })
  }

  #ownBare(): string {
    return bareJid(this.bot.jid)
  }
}

/**
 * How a `pubsubEvent` handler is registered: with `notify`, the bot announces `<node>+notify` in its
 * service discovery features (and so in its caps) for each node its guards name, which asks contacts'
 * servers to send it their PEP events for those nodes (XEP-0163, 4).
 *
 * @example
 * ```ts
 * bot.pubsubEvent({ node: 'http://jabber.org/protocol/tune' }, (event) => event.log.info(event.items), { notify: true })
 * ```
 */
export interface PubSubEventOptions {
  notify?: boolean
}

/**
 * What PubSub adds to a bot.
 *
 * @example
 * ```ts
 * function watchTunes(bot: BotCore & PubSubFeature): void { bot.pubsubEvent({ node: 'http://jabber.org/protocol/tune' }, (e) => e.log.info(e.items), { notify: true }) }
 * ```
 */
export interface PubSubFeature {
  /** Publish, retract, fetch, subscribe, create, configure and delete, on a service or the bot's own PEP. */
  readonly pubsub: PubSub
  /**
   * Handles PubSub events: items published or retracted on a node the bot follows, on a service or a
   * contact's PEP. These messages reach no `message` handler.
   *
   * @example
   * ```ts
   * bot.pubsubEvent({ node: 'urn:xmpp:microblog:0' }, (event) => event.log.info({ from: event.from, items: event.items.length }), { notify: true })
   * ```
   */
  pubsubEvent(handler: Handler<PubSubEventContext>, options?: PubSubEventOptions): this
  pubsubEvent<const G extends Guards<PubSubEventContext, PubSubEventField>>(
    guards: G & Exact<G, PubSubEventField>,
    handler: Handler<Narrow<PubSubEventContext, G>>,
    options?: PubSubEventOptions,
  ): this
}

/**
 * PubSub and PEP (XEP-0060, XEP-0163): `bot.pubsub` for requests, and PubSub events as a stanza kind
 * of their own (`bot.pubsubEvent()`), with `+notify` interests announced through service discovery.
 * `createBot()` installs it.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(discovery({ name: 'natter' })).install(pubsub())
 * ```
 */
export function pubsub(): (bot: BotCore & Partial<DiscoveryFeature>) => PubSubFeature {
  return (bot) => {
    bot.defineKind(pubsubEventKind as unknown as StanzaKind)
    const register = bot.handle.bind(bot) as (kind: 'pubsubEvent', ...args: unknown[]) => unknown
    return {
      pubsub: new PubSub(bot),
      pubsubEvent(this: PubSubFeature, ...args: unknown[]) {
        const last = args.at(-1)
        const options = typeof last === 'object' && last !== null && typeof args.at(-2) === 'function' ? (args.pop() as PubSubEventOptions) : {}
        const nodes = options.notify ? notifiedNodes(args.length > 1 ? args[0] : undefined) : []
        if (options.notify && nodes.length === 0)
          throw new TypeError('pubsubEvent: notify needs the guards to name the node, e.g. { node: "urn:xmpp:microblog:0" }')
        register('pubsubEvent', ...args)
        bot.features?.add(...nodes.map((node) => `${node}+notify`))
        return this
      },
    } as PubSubFeature
  }
}

/** The nodes a guard names as plain strings: those whose events the bot asks for. */
function notifiedNodes(guards: unknown): string[] {
  const list = Array.isArray(guards) ? guards : [guards]
  return list.flatMap((guard) => {
    const node = typeof guard === 'object' && guard !== null ? (guard as { node?: unknown }).node : undefined
    return (Array.isArray(node) ? node : [node]).filter((n): n is string => typeof n === 'string')
  })
}
