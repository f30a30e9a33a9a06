import type { BotCore } from '../../bot/bot-core.js'
import { type ContextLink, StanzaContext } from '../../dispatch/context/stanza-context.js'
import type { Exact, Guards, Narrow } from '../../dispatch/guards.js'
import type { Handler } from '../../dispatch/router.js'
import { defineKind } from '../../dispatch/stanza-kind.js'
import { StanzaError } from '../../errors.js'
import { isDomainJid, parseJid } from '../../jid.js'
import { NS_ROSTER } from '../../ns.js'
import { type XmlElement, xml } from '../../xml.js'

/**
 * The subscription states of RFC 6121; `remove` only appears in pushes.
 *
 * @example
 * ```ts
 * const mutual = bot.roster.items().filter((item) => item.subscription === 'both')
 * ```
 */
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
export class RosterPushContext extends StanzaContext {
  readonly kind = 'rosterPush'
  readonly jid: string
  readonly name: string | undefined
  readonly subscription: RosterSubscription
  readonly ask: 'subscribe' | undefined
  readonly groups: readonly string[]

  constructor(stanza: XmlElement, item: RosterItem, link: ContextLink) {
    super(stanza, link)
    this.jid = item.jid
    this.name = item.name
    this.subscription = item.subscription
    this.ask = item.ask
    this.groups = item.groups
  }
}

/**
 * The bot's roster: fetched from the server on every fresh session, kept current by pushes, and
 * changed with `add`, `update` and `remove`.
 *
 * @example
 * ```ts
 * await bot.roster.add('alice@example.org', { name: 'Alice', groups: ['Team'] })
 * ```
 */
export class Roster {
  readonly #items = new Map<string, RosterItem>()

  constructor(private readonly bot: BotCore) {}

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

  /**
   * The contacts, as the server last told them: the roster natter fetches on every fresh session,
   * kept current by the server's pushes (which also confirm `add`, `update` and `remove`). Empty
   * until the first fetch is answered, just after `ready`.
   *
   * @example
   * ```ts
   * const team = bot.roster.items().filter((item) => item.groups.includes('Team'))
   * ```
   */
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
        xml(
          'item',
          { jid: bare, name: options.name },
          (options.groups ?? []).map((g) => xml('group', {}, g)),
        ),
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
   * @internal Applies a roster push and returns its item. Only the bot's own account may push (RFC
   * 6121, 2.1.6): anyone else gets `service-unavailable`, as if there were no roster here.
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

/**
 * Fields a roster push guard can test.
 *
 * @example
 * ```ts
 * bot.rosterPush({ subscription: 'remove' }, (push) => push.log.info({ jid: push.jid }, 'left the roster'))
 * ```
 */
export type RosterField = 'jid' | 'name' | 'subscription' | 'ask' | 'groups'

declare module '../../dispatch/composer.js' {
  interface StanzaKinds {
    rosterPush: { context: RosterPushContext; field: RosterField }
  }
}

/**
 * What the roster feature adds to a bot.
 *
 * @example
 * ```ts
 * await bot.roster.update('alice@example.org', { name: 'Alice', groups: ['team'] })
 * ```
 */
export interface RosterFeature {
  /** The bot's roster: kept current by the server's pushes; add, update, remove. */
  readonly roster: Roster
  /**
   * Handles roster pushes: a contact added, changed or removed on the server. The push is applied to
   * `bot.roster` and acknowledged whatever the handlers do.
   *
   * @example
   * ```ts
   * bot.rosterPush({ subscription: 'both' }, (push) => bot.say(push.jid, 'Welcome aboard!'))
   * ```
   */
  rosterPush(handler: Handler<RosterPushContext>): this
  rosterPush<const G extends Guards<RosterPushContext, RosterField>>(guards: G & Exact<G, RosterField>, handler: Handler<Narrow<RosterPushContext, G>>): this
}

/**
 * The roster (RFC 6121): loaded on every fresh session, which also makes the server push changes;
 * pushes applied, acknowledged and handed to `rosterPush` handlers as a stanza kind of their own.
 * `createBot()` installs it.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(roster())
 * bot.rosterPush({ subscription: 'both' }, (push) => bot.say(push.jid, 'Welcome aboard!'))
 * ```
 */
export function roster(): (bot: BotCore) => RosterFeature {
  return (bot) => {
    const list = new Roster(bot)
    bot.defineKind(
      defineKind<RosterPushContext, RosterField>({
        name: 'rosterPush',
        element: 'iq',
        fields: ['jid', 'name', 'subscription', 'ask', 'groups'],
        indexed: ['jid', 'subscription'],
        jidFields: ['jid'],
        accepts: (stanza) => stanza.attrs.type === 'set' && stanza.getChild('query', NS_ROSTER) !== undefined,
        // Applied as it arrives, before any middleware: no handler may keep the roster from being current.
        create: (stanza, link) => new RosterPushContext(stanza, list.applyPush(stanza, link.jid), link),
        // The server's business with this client: acknowledged whether or not a handler took it.
        answer: () => ({ result: undefined }),
      }),
    )
    bot.onStart(() => {
      if (isDomainJid(bot.jid)) bot.log.info("a component has no roster: bot.roster stays empty and subscriptions are the handlers' to answer")
    })
    bot.on('ready', ({ resumed }) => {
      if (!resumed && !isDomainJid(bot.jid)) list.load().catch((e: unknown) => bot.log.warn({ err: e }, 'cannot load the roster'))
    })
    const register = bot.handle.bind(bot) as (kind: 'rosterPush', ...args: unknown[]) => unknown
    return {
      roster: list,
      rosterPush(this: RosterFeature, ...args: unknown[]) {
        register('rosterPush', ...args)
        return this
      },
    } as RosterFeature
  }
}
