import type { BotCore } from '../../bot/bot-core.js'
import type { PresenceContext, Show } from '../../dispatch/context/presence.js'
import type { StanzaContext } from '../../dispatch/context/stanza-context.js'
import type { Next } from '../../dispatch/router.js'
import { parseJid } from '../../jid.js'
import { NS_MUC_USER } from '../../ns.js'
import type { XmlElement } from '../../xml.js'

/**
 * A contact that is online: its bare JID, and the show and status of its resource with the highest
 * priority (the one RFC 6121 says a message to the bare JID goes to).
 *
 * @example
 * ```ts
 * const busy = bot.contacts.online().filter((contact) => contact.show === 'dnd')
 * ```
 */
export interface ContactPresence {
  readonly jid: string
  readonly show: Show | undefined
  readonly status: string | undefined
  readonly priority: number
  /** Every resource of the contact that is online, e.g. `['phone', 'laptop']`. */
  readonly resources: readonly string[]
}

interface ResourcePresence {
  readonly show: Show | undefined
  readonly status: string | undefined
  readonly priority: number
}

/**
 * Who among the bot's contacts is online, as their presences told: the same view in every process
 * of a formation, whichever of them handles a contact's stanzas. Rooms' occupants are in
 * `bot.rooms.occupants()`, and the bot's own account (its siblings) is left out.
 *
 * @example
 * ```ts
 * bot.command('who', (cmd) => cmd.reply(bot.contacts.online().map((c) => c.jid).join(', ') || 'nobody'))
 * ```
 */
export class Contacts {
  readonly #online = new Map<string, Map<string, ResourcePresence>>()
  /** Stanzas already applied: one held by the formation comes through the middleware again when handled. */
  readonly #applied = new WeakSet<XmlElement>()

  constructor(private readonly bot: BotCore) {}

  /**
   * The contacts online now, sorted by bare JID. Empty until the server has sent their presences, just
   * after `ready`; emptied on each fresh session, which the server fills again.
   *
   * @example
   * ```ts
   * const names = bot.contacts.online().map((contact) => `${contact.jid} (${contact.show ?? 'available'})`)
   * ```
   */
  online(): ContactPresence[] {
    return [...this.#online.keys()].sort().map((jid) => this.get(jid) as ContactPresence)
  }

  /**
   * One contact's presence, by JID (its bare part counts); undefined while it is offline.
   *
   * @example
   * ```ts
   * if (bot.contacts.get('alice@example.org')?.show === 'dnd') await bot.say('bob@example.org', 'Alice is busy')
   * ```
   */
  get(jid: string): ContactPresence | undefined {
    const bare = parseJid(jid)?.bare ?? jid
    const resources = this.#online.get(bare)
    if (!resources) return undefined
    let best: ResourcePresence | undefined
    for (const presence of resources.values()) if (!best || presence.priority > best.priority) best = presence
    return best && { jid: bare, show: best.show, status: best.status, priority: best.priority, resources: [...resources.keys()] }
  }

  /** @internal Forgets everyone: a fresh session, to which the server sends every presence again. */
  clear(): void {
    this.#online.clear()
  }

  /** @internal Contacts' middleware: applies each presence once, before anything can stop it, and passes it on. */
  inbound(ctx: StanzaContext, next: Next): unknown {
    if (ctx.kind === 'presence' && !this.#applied.has(ctx.stanza)) {
      this.#applied.add(ctx.stanza)
      this.#apply(ctx as PresenceContext)
    }
    return next()
  }

  #apply(presence: PresenceContext): void {
    const from = parseJid(presence.from)
    if (!from || from.bare === parseJid(this.bot.jid)?.bare) return
    // A room's occupants are the rooms feature's; their presence is the room's, not a contact's.
    if (presence.stanza.getChild('x', NS_MUC_USER)) return
    if (presence.type === 'available') {
      const resources = this.#online.get(from.bare) ?? new Map<string, ResourcePresence>()
      resources.set(from.resource, { show: presence.show, status: presence.status, priority: presence.priority })
      this.#online.set(from.bare, resources)
    } else if (presence.type === 'unavailable' || presence.type === 'error') {
      // An error, or an unavailable presence from the bare JID, means the whole contact is gone (RFC 6121, 4.3.2).
      const resources = this.#online.get(from.bare)
      if (from.resource && presence.type === 'unavailable') resources?.delete(from.resource)
      else resources?.clear()
      if (resources?.size === 0) this.#online.delete(from.bare)
    }
  }
}

/**
 * What the contacts feature adds to a bot.
 *
 * @example
 * ```ts
 * bot.command('online', (cmd) => cmd.reply(`${bot.contacts.online().length} contacts online`))
 * ```
 */
export interface ContactsFeature {
  /** Who among the bot's contacts is online, with show and status: whole in every process of a formation. */
  readonly contacts: Contacts
}

/**
 * Contacts' presence, tracked for `bot.contacts`. Installed before the formation, so that each process
 * of a formation sees every presence, while only the one that owns a contact runs handlers for it.
 * `createBot()` installs it.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(contacts())
 * ```
 */
export function contacts(): (bot: BotCore) => ContactsFeature {
  return (bot) => {
    const tracked = new Contacts(bot)
    bot.use((ctx, next) => tracked.inbound(ctx, next))
    bot.on('ready', ({ resumed }) => {
      if (!resumed) tracked.clear()
    })
    return { contacts: tracked }
  }
}
