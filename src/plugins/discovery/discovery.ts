import type { BotCore } from '../../bot/bot-core.js'
import { StanzaError } from '../../errors.js'
import { NS_CHATSTATES, NS_DELAY, NS_DISCO_INFO, NS_DISCO_ITEMS } from '../../ns.js'
import { type XmlElement, xml } from '../../xml.js'
import { type DiscoItem, DiscoNodes } from './disco-nodes.js'

/**
 * The features the bot announces through service discovery (XEP-0030). Features add their own;
 * every IQ handler registered for a fixed namespace adds that namespace.
 *
 * @example
 * ```ts
 * bot.features.add('urn:example:weather')
 * ```
 */
export class Features {
  // Besides disco itself, what every bot's message contexts read: chat states and delayed delivery.
  readonly #set = new Set<string>([NS_DISCO_INFO, NS_DISCO_ITEMS, NS_CHATSTATES, NS_DELAY])
  readonly #listeners: Array<() => void> = []

  add(...features: string[]): void {
    const size = this.#set.size
    for (const feature of features) this.#set.add(feature)
    if (this.#set.size !== size) this.#changed()
  }

  /** Hears about every feature added from now on, e.g. to announce the new set through caps. */
  onChange(listener: () => void): void {
    this.#listeners.push(listener)
  }

  /** @internal Adds the namespaces that IQ guards fix with plain strings: discovery() calls it for each IQ handler registered. */
  announce(guards: unknown): void {
    for (const guard of Array.isArray(guards) ? guards : [guards]) {
      const xmlns = typeof guard === 'object' && guard !== null ? (guard as { xmlns?: unknown }).xmlns : undefined
      for (const ns of Array.isArray(xmlns) ? xmlns : [xmlns]) if (typeof ns === 'string') this.add(ns)
    }
  }

  has(feature: string): boolean {
    return this.#set.has(feature)
  }

  list(): string[] {
    return [...this.#set].sort()
  }

  #changed(): void {
    for (const listener of this.#listeners) listener()
  }
}

/**
 * What service discovery adds to a bot.
 *
 * @example
 * ```ts
 * function announceWeather(bot: BotCore & DiscoveryFeature): void { bot.features.add('urn:example:weather') }
 * ```
 */
export interface DiscoveryFeature {
  /** What the bot announces through service discovery; IQ handlers add their namespaces. */
  readonly features: Features
  /** The nodes the bot answers disco#info and disco#items on besides itself (ad-hoc commands, caps). */
  readonly discoNodes: DiscoNodes
  /**
   * The bot's own disco#info answer as it stands: its identity and features.
   *
   * @example
   * ```ts
   * const count = bot.discoInfo().getChildren('feature').length
   * ```
   */
  discoInfo(): XmlElement
}

/**
 * Service discovery (XEP-0030): answers disco#info with the bot's identity and features, and
 * disco#items with no items; other features answer on nodes of their own (`bot.discoNodes`). The answers are registered when the bot starts, after the bot's own
 * handlers, so a bot can answer disco its own way. `createBot()` installs it.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(discovery({ name: 'natter' }))
 * bot.features.add('urn:example:weather')
 * ```
 */
export function discovery(identity: { name: string }): (bot: BotCore) => DiscoveryFeature {
  return (bot) => {
    const features = new Features()
    const discoNodes = new DiscoNodes()
    const discoInfo = (): XmlElement =>
      xml(
        'query',
        { xmlns: NS_DISCO_INFO },
        xml('identity', { category: 'client', type: 'bot', name: identity.name }),
        features.list().map((feature) => xml('feature', { var: feature })),
      )
    bot.onRegister(({ kind, guards }) => {
      if (kind === 'iq') features.announce(guards)
    })
    bot.onStart(() => {
      bot.iq({ type: 'get', xmlns: NS_DISCO_INFO, element: 'query' }, (iq) => {
        const node = iq.query.attrs.node
        if (node === undefined) return discoInfo()
        const info = discoNodes.find(node)?.info?.(iq.from, node)
        if (!info) throw new StanzaError('item-not-found', 'cancel')
        return xml('query', { xmlns: NS_DISCO_INFO, node }, info)
      })
      bot.iq({ type: 'get', xmlns: NS_DISCO_ITEMS, element: 'query' }, (iq) => {
        const node = iq.query.attrs.node
        if (node === undefined) return xml('query', { xmlns: NS_DISCO_ITEMS })
        const items = discoNodes.find(node)?.items?.(iq.from, node)
        if (!items) throw new StanzaError('item-not-found', 'cancel')
        return xml(
          'query',
          { xmlns: NS_DISCO_ITEMS, node },
          items.map((item: DiscoItem) => xml('item', { jid: item.jid ?? iq.to, node: item.node, name: item.name })),
        )
      })
    })
    return { features, discoNodes, discoInfo }
  }
}
