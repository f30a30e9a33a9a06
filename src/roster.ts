import type { Bot } from './bot.js'
import { StanzaContext, type BotLink } from './context/base.js'
import { StanzaError } from './errors.js'
import { parseJid } from './jid.js'
import { xml, type XmlElement } from './xml.js'

const NS_ROSTER = 'jabber:iq:roster'

/** The subscription states of RFC 6121; `remove` only appears in pushes. */
export type RosterSubscription = 'none' | 'to' | 'from' | 'both' | 'remove'

/**
 * One contact on the bot's roster.
 *
 * @example
 * ```ts
 * const friends = bot.roster.items().filter((item) => item.groups.includes('Friends'))
 * ```
 */
export interface RosterItem {
  readonly jid: string
  readonly name: string | undefined
  readonly subscription: RosterSubscription
  /** `subscribe` while the bot's own subscription request is pending. */
  readonly ask: 'subscribe' | undefined
  readonly groups: readonly string[]
}

/**
 * A roster push (RFC 6121, 2.1.6): the server telling the bot that a contact was added, changed or
 * removed. natter has already applied it to `bot.roster` and acknowledged it when handlers run.
 *
 * @example
 * ```ts
 * bot.rosterPush({ subscription: 'remove' }, (push) => push.log.info(`${push.jid} left the roster`))
 * ```
 */
export class RosterContext extends StanzaContext {
  readonly kind = 'roster'
  readonly jid: string
  readonly name: string | undefined
  readonly subscription: RosterSubscription
  readonly ask: 'subscribe' | undefined
  readonly groups: readonly string[]

  constructor(stanza: XmlElement, item: RosterItem, link: BotLink) {
    super(stanza, link)
    this.jid = item.jid
    this.name = item.name
    this.subscription = item.subscription
    this.ask = item.ask
    this.groups = item.groups
  }
}

/**
 * The bot's roster: fetched from the server with `load()`, kept current by pushes, and changed with
 * `add`, `update` and `remove`.
 *
 * @example
 * ```ts
 * await bot.roster.add('alice@example.org', { name: 'Alice', groups: ['Team'] })
 * ```
 */
export class Roster {
  readonly #items = new Map<string, RosterItem>()

  constructor(private readonly bot: Bot) {}

  /** Fetches the whole roster from the server, replacing what was known. */
  async load(): Promise<RosterItem[]> {
    const reply = await this.bot.request({ type: 'get', payload: xml('query', { xmlns: NS_ROSTER }) })
    this.#items.clear()
    for (const el of reply.getChild('query', NS_ROSTER)?.getChildren('item') ?? []) {
      const item = readItem(el)
      if (item && item.subscription !== 'remove') this.#items.set(item.jid, item)
    }
    return this.items()
  }

  /** The contacts known so far (call `load()` once to fetch them). */
  items(): RosterItem[] {
    return [...this.#items.values()]
  }

  /** One contact, by bare JID. */
  get(jid: string): RosterItem | undefined {
    return this.#items.get(parseJid(jid)?.bare ?? jid)
  }

  /** Adds a contact, or changes its name and groups. The server confirms with a push. */
  async add(jid: string, options: { name?: string; groups?: readonly string[] } = {}): Promise<void> {
    const bare = parseJid(jid)?.bare
    if (!bare) throw new TypeError(`"${jid}" is not a JID`)
    await this.bot.request({
      type: 'set',
      payload: xml(
        'query',
        { xmlns: NS_ROSTER },
        xml('item', { jid: bare, name: options.name }, (options.groups ?? []).map((g) => xml('group', {}, g))),
      ),
    })
  }

  /** Changes a contact's name and groups; the same request as `add`. */
  update(jid: string, options: { name?: string; groups?: readonly string[] }): Promise<void> {
    return this.add(jid, options)
  }

  /** Removes a contact, cancelling subscriptions both ways. */
  async remove(jid: string): Promise<void> {
    const bare = parseJid(jid)?.bare
    if (!bare) throw new TypeError(`"${jid}" is not a JID`)
    await this.bot.request({ type: 'set', payload: xml('query', { xmlns: NS_ROSTER }, xml('item', { jid: bare, subscription: 'remove' })) })
  }

  /**
   * Applies a roster push and returns its item. Only the bot's own account may push (RFC 6121,
   * 2.1.6): anyone else gets `service-unavailable`, as if there were no roster here.
   */
  applyPush(stanza: XmlElement, ownJid: string): RosterItem {
    const from = stanza.attrs.from
    const own = parseJid(ownJid)
    if (from !== undefined && parseJid(from)?.full !== own?.bare) throw new StanzaError('service-unavailable', 'cancel')
    const items = stanza.getChild('query', NS_ROSTER)?.getChildren('item') ?? []
    const item = items.length === 1 && items[0] ? readItem(items[0]) : undefined
    if (!item) throw new StanzaError('bad-request', 'modify', 'a roster push holds exactly one item')
    if (item.subscription === 'remove') this.#items.delete(item.jid)
    else this.#items.set(item.jid, item)
    return item
  }
}

function readItem(el: XmlElement): RosterItem | undefined {
  const jid = parseJid(el.attrs.jid ?? '')
  if (!jid) return undefined
  const subscription = el.attrs.subscription
  return {
    jid: jid.bare,
    name: el.attrs.name,
    subscription: subscription === 'to' || subscription === 'from' || subscription === 'both' || subscription === 'remove' ? subscription : 'none',
    ask: el.attrs.ask === 'subscribe' ? 'subscribe' : undefined,
    groups: el.getChildren('group').map((g) => g.getText()),
  }
}
