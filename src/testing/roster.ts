import type { SubscriptionType } from '../dispatch/context/subscription.js'
import { bareJid, parseJid } from '../jid.js'
import { NS_ROSTER } from '../ns.js'
import type { RosterItem } from '../plugins/roster/roster.js'
import { type XmlElement, xml } from '../xml.js'
import { iqError, iqResult } from './iq-replies.js'
import type { KitLink } from './kit-link.js'

/**
 * A contact on the bot's roster, as a test seeds or pushes it.
 *
 * @example
 * ```ts
 * const kit = await testKit(bot, { roster: [{ jid: 'alice@example.org', name: 'Alice', groups: ['Team'] }] })
 * ```
 */
export interface RosterEntry {
  readonly jid: string
  readonly name?: string
  /** Who sees whose presence; default `both`. */
  readonly subscription?: 'none' | 'to' | 'from' | 'both'
  /** `subscribe` while the bot's request to see the contact's presence is pending. */
  readonly ask?: 'subscribe'
  readonly groups?: readonly string[]
}

type Direction = 'to' | 'from'

/** A subscription gained or lost in one direction: the state it leads to, by the state before. */
const GAIN: Record<Direction, Partial<Record<RosterItem['subscription'], RosterItem['subscription']>>> = {
  to: { none: 'to', from: 'both' },
  from: { none: 'from', to: 'both' },
}
const LOSS: Record<Direction, Partial<Record<RosterItem['subscription'], RosterItem['subscription']>>> = {
  to: { to: 'none', both: 'from' },
  from: { from: 'none', both: 'to' },
}

/**
 * The bot's roster as the test server keeps it: it answers the bot's roster requests, follows
 * subscriptions as a server does (RFC 6121), and pushes every change to the bot.
 *
 * @example
 * ```ts
 * await kit.roster.push({ jid: 'bob@example.org', name: 'Bob' })
 * expect(bot.roster.get('bob@example.org')?.name).toBe('Bob')
 * ```
 */
export class TestRoster {
  readonly #items = new Map<string, RosterItem>()
  readonly #link: KitLink
  #pushes = 0

  /** @internal Made by the test kit. */
  constructor(link: KitLink, seed: readonly RosterEntry[] = []) {
    this.#link = link
    for (const entry of seed) this.#set(itemOf(entry))
  }

  /** The contacts, as the server has them. */
  items(): RosterItem[] {
    return [...this.#items.values()]
  }

  /** One contact, by JID. */
  get(jid: string): RosterItem | undefined {
    return this.#items.get(bareJid(jid))
  }

  /**
   * Adds or changes a contact and pushes it to the bot, as when another client of the account edits
   * the roster. Resolves once the bot's `rosterPush` handlers are done, with what the bot sent.
   *
   * @example
   * ```ts
   * await kit.roster.push({ jid: 'bob@example.org', subscription: 'from', groups: ['Ops'] })
   * ```
   */
  push(entry: RosterEntry): Promise<XmlElement[]> {
    const item = itemOf(entry)
    this.#set(item)
    return this.#link.deliver(this.#push(item))
  }

  /**
   * Removes a contact and pushes the removal to the bot.
   *
   * @example
   * ```ts
   * await kit.roster.remove('bob@example.org')
   * ```
   */
  remove(jid: string): Promise<XmlElement[]> {
    const bare = bareJid(jid)
    this.#items.delete(bare)
    return this.#link.deliver(this.#push({ jid: bare, name: undefined, subscription: 'remove', ask: undefined, groups: [] }))
  }

  /** @internal The server's answer to the bot's roster request: the roster for a get; for a set, the change pushed, then the result. */
  answer(request: XmlElement): XmlElement[] {
    const result = iqResult(request, this.#link.botJid)
    if (request.attrs.type === 'get') {
      result.append(xml('query', { xmlns: NS_ROSTER }, this.items().map(itemElement)))
      return [result]
    }
    const el = request.getChild('query', NS_ROSTER)?.getChild('item')
    const jid = el?.attrs.jid
    if (!el || jid === undefined || !parseJid(jid)) return [iqError(request, this.#link.botJid, 'bad-request', 'modify')]
    const bare = bareJid(jid)
    if (el.attrs.subscription === 'remove') {
      this.#items.delete(bare)
      return [this.#push({ jid: bare, name: undefined, subscription: 'remove', ask: undefined, groups: [] }), result]
    }
    const known = this.#items.get(bare)
    const item: RosterItem = {
      jid: bare,
      name: el.attrs.name,
      subscription: known?.subscription ?? 'none',
      ask: known?.ask,
      groups: el.getChildren('group').map((g) => g.getText()),
    }
    this.#set(item)
    return [this.#push(item), result]
  }

  /**
   * @internal What a subscription presence does to the roster, as the server applies it (RFC 6121,
   * 3): `by` says who sent it. Returns the push for the bot when the roster changed.
   */
  follow(by: 'bot' | 'contact', type: SubscriptionType, contact: string): XmlElement | undefined {
    const bare = bareJid(contact)
    const known = this.#items.get(bare)
    const base: RosterItem = known ?? { jid: bare, name: undefined, subscription: 'none', ask: undefined, groups: [] }
    let next: RosterItem | undefined
    if (by === 'bot' && type === 'subscribe') next = { ...base, ask: 'subscribe' }
    else if (by === 'bot' && type === 'subscribed') next = { ...base, subscription: GAIN.from[base.subscription] ?? base.subscription }
    else if (!known) return undefined
    else if (by === 'bot' && type === 'unsubscribe') next = { ...known, ask: undefined, subscription: LOSS.to[known.subscription] ?? known.subscription }
    else if (by === 'bot' && type === 'unsubscribed') next = { ...known, subscription: LOSS.from[known.subscription] ?? known.subscription }
    else if (type === 'subscribed') next = { ...known, ask: undefined, subscription: GAIN.to[known.subscription] ?? known.subscription }
    else if (type === 'unsubscribed') next = { ...known, ask: undefined, subscription: LOSS.to[known.subscription] ?? known.subscription }
    else if (type === 'unsubscribe') next = { ...known, subscription: LOSS.from[known.subscription] ?? known.subscription }
    if (!next || (known && next.subscription === known.subscription && next.ask === known.ask)) return undefined
    this.#set(next)
    return this.#push(next)
  }

  #set(item: RosterItem): void {
    this.#items.set(item.jid, item)
  }

  #push(item: RosterItem): XmlElement {
    const botJid = this.#link.botJid
    return xml(
      'iq',
      { type: 'set', id: `roster-push-${++this.#pushes}`, from: bareJid(botJid), to: botJid },
      xml('query', { xmlns: NS_ROSTER }, itemElement(item)),
    )
  }
}

function itemOf(entry: RosterEntry): RosterItem {
  const jid = parseJid(entry.jid)
  if (!jid) throw new TypeError(`"${entry.jid}" is not a JID`)
  return { jid: jid.bare, name: entry.name, subscription: entry.subscription ?? 'both', ask: entry.ask, groups: [...(entry.groups ?? [])] }
}

function itemElement(item: RosterItem): XmlElement {
  return xml(
    'item',
    { jid: item.jid, name: item.name, subscription: item.subscription, ask: item.ask },
    item.groups.map((g) => xml('group', {}, g)),
  )
}
