import { bareJid } from '../jid.js'
import { NS_PUBSUB, NS_PUBSUB_EVENT, NS_PUBSUB_OWNER } from '../ns.js'
import type { PubSubItem } from '../plugins/pubsub/event.js'
import { type XmlElement, xml } from '../xml.js'
import { iqError, iqResult } from './iq-replies.js'

interface TestNode {
  readonly items: Map<string, XmlElement | undefined>
  readonly subscribers: Set<string>
}

/**
 * The test server's PubSub: the bot's own PEP and every other service, in memory. It answers the
 * bot's publish, retract, items, create, configure, delete, subscribe and unsubscribe as a service
 * would, and lets the test read what the bot published and hand it events.
 *
 * @example
 * ```ts
 * await bot.pubsub.publish('urn:example:status', xml('status', { xmlns: 'urn:example:status' }, 'green'), { id: 'now' })
 * expect(kit.pubsub.items('urn:example:status')[0]?.payload?.getText()).toBe('green')
 * ```
 */
export class TestPubSub {
  /** Every item the bot published, in order, with where it went (the bot's bare JID for its PEP). */
  readonly published: Array<{ readonly service: string; readonly node: string; readonly item: PubSubItem }> = []
  readonly #services = new Map<string, Map<string, TestNode>>()
  readonly #botJid: string
  readonly #deliver: (stanza: XmlElement) => Promise<XmlElement[]>
  #nextId = 0

  /** @internal Made by the test kit. */
  constructor(botJid: string, deliver: (stanza: XmlElement) => Promise<XmlElement[]>) {
    this.#botJid = botJid
    this.#deliver = deliver
  }

  /**
   * The items of a node, oldest first: of the bot's own PEP without `service`.
   *
   * @example
   * ```ts
   * expect(kit.pubsub.items('urn:xmpp:avatar:metadata')).toHaveLength(1)
   * ```
   */
  items(node: string, service?: string): PubSubItem[] {
    const found = this.#services.get(this.#service(service))?.get(node)
    return [...(found?.items ?? [])].map(([id, payload]) => ({ id, payload }))
  }

  /**
   * The nodes of a service (of the bot's own PEP without `service`).
   *
   * @example
   * ```ts
   * expect(kit.pubsub.nodes()).toContain('urn:xmpp:microblog:0')
   * ```
   */
  nodes(service?: string): string[] {
    return [...(this.#services.get(this.#service(service))?.keys() ?? [])]
  }

  /**
   * Whether the bot is subscribed to a node of a service.
   *
   * @example
   * ```ts
   * expect(kit.pubsub.subscribed('news', 'pubsub.example.org')).toBe(true)
   * ```
   */
  subscribed(node: string, service: string): boolean {
    return this.#services.get(this.#service(service))?.get(node)?.subscribers.has(bareJid(this.#botJid)) ?? false
  }

  /**
   * Hands the bot an event of `node` from `from` (a service, or a contact's bare JID for PEP): items
   * published and ids retracted. Resolves with what the bot sent while handling it.
   *
   * @example
   * ```ts
   * await kit.pubsub.event('news.example.org', 'releases', { items: [{ id: 'v2', payload: xml('entry', { xmlns: 'http://www.w3.org/2005/Atom' }) }] })
   * ```
   */
  event(from: string, node: string, event: { items?: readonly PubSubItem[]; retracted?: readonly string[] }): Promise<XmlElement[]> {
    const items = xml(
      'items',
      { node },
      (event.items ?? []).map((item) => xml('item', { id: item.id }, item.payload)),
      (event.retracted ?? []).map((id) => xml('retract', { id })),
    )
    return this.#deliver(xml('message', { from, to: this.#botJid, id: `event-${++this.#nextId}` }, xml('event', { xmlns: NS_PUBSUB_EVENT }, items)))
  }

  /** @internal The service's answer to one of the bot's PubSub requests. */
  answer(request: XmlElement): XmlElement[] {
    const service = this.#service(request.attrs.to)
    const nodes = this.#services.get(service) ?? new Map<string, TestNode>()
    this.#services.set(service, nodes)
    const pubsub = request.getChild('pubsub', NS_PUBSUB) ?? request.getChild('pubsub', NS_PUBSUB_OWNER)
    const action = pubsub?.getChildElements()[0]
    const node = action?.attrs.node
    if (!action || node === undefined) return [iqError(request, this.#botJid, 'bad-request', 'modify')]
    const existing = nodes.get(node)
    const made = (): TestNode => {
      const fresh = existing ?? { items: new Map(), subscribers: new Set() }
      nodes.set(node, fresh)
      return fresh
    }
    switch (action.name) {
      case 'publish': {
        const item = action.getChild('item')
        const id = item?.attrs.id ?? `item-${++this.#nextId}`
        const target = made()
        target.items.delete(id)
        target.items.set(id, item?.getChildElements()[0])
        this.published.push({ service, node, item: { id, payload: item?.getChildElements()[0] } })
        return [iqResult(request, this.#botJid, xml('pubsub', { xmlns: NS_PUBSUB }, xml('publish', { node }, xml('item', { id }))))]
      }
      case 'create':
        if (existing) return [iqError(request, this.#botJid, 'conflict', 'cancel')]
        made()
        return [iqResult(request, this.#botJid)]
      case 'subscribe':
        made().subscribers.add(bareJid(action.attrs.jid ?? this.#botJid))
        return [iqResult(request, this.#botJid)]
      default:
        break
    }
    if (!existing) return [iqError(request, this.#botJid, 'item-not-found', 'cancel')]
    if (action.name === 'items') {
      const wanted = action.getChildren('item').map((i) => i.attrs.id)
      const all = [...existing.items].filter(([id]) => wanted.length === 0 || wanted.includes(id))
      const max = Number(action.attrs.max_items ?? all.length)
      const chosen = all.slice(Math.max(0, all.length - max))
      return [
        iqResult(
          request,
          this.#botJid,
          xml(
            'pubsub',
            { xmlns: NS_PUBSUB },
            xml(
              'items',
              { node },
              chosen.map(([id, p]) => xml('item', { id }, p)),
            ),
          ),
        ),
      ]
    }
    if (action.name === 'retract') for (const item of action.getChildren('item')) existing.items.delete(item.attrs.id ?? '')
    else if (action.name === 'unsubscribe') existing.subscribers.delete(bareJid(action.attrs.jid ?? this.#botJid))
    else if (action.name === 'delete') nodes.delete(node)
    else if (action.name !== 'configure') return [iqError(request, this.#botJid, 'feature-not-implemented', 'cancel')]
    return [iqResult(request, this.#botJid)]
  }

  #service(service: string | undefined): string {
    return service === undefined ? bareJid(this.#botJid) : bareJid(service)
  }
}
