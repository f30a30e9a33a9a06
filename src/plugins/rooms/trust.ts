import type { BotCore } from '../../bot/bot-core.js'
import { parseJid } from '../../jid.js'
import { NS_DISCO_ITEMS } from '../../ns.js'
import { xml } from '../../xml.js'

/**
 * Which room services the bot believes about occupants' real JIDs. A room tells its occupants who is
 * behind each nick, and a room on a service the attacker runs can tell anything: that the nick
 * `mallory` is `admin@example.org`. So real JIDs count only from the bot's own server and its
 * subdomains, the services the server lists (XEP-0030 items, asked on every fresh session), the
 * services of the rooms configured to join, and those configured as trusted.
 *
 * @example
 * ```ts
 * const trust = new RoomTrust(() => bot.jid)
 * trust.add('chat.example.net')
 * trust.trusts('team@chat.example.net') // true
 * ```
 */
export class RoomTrust {
  readonly #services = new Set<string>()

  constructor(private readonly ownJid: () => string) {}

  /** Trusts room services by domain (or by any room JID on them). */
  add(...services: readonly string[]): void {
    for (const service of services) {
      const domain = parseJid(service.trim())?.domain
      if (domain) this.#services.add(domain)
    }
  }

  /** Whether the service of `room` is trusted about real JIDs. */
  trusts(room: string): boolean {
    const domain = parseJid(room)?.domain
    if (!domain) return false
    if (this.#services.has(domain)) return true
    const own = parseJid(this.ownJid())?.domain
    return own !== undefined && (domain === own || domain.endsWith(`.${own}`))
  }

  /**
   * Asks the bot's server which services it hosts and trusts them; a server that does not answer
   * leaves the defaults.
   */
  async discover(bot: BotCore): Promise<void> {
    const server = parseJid(bot.jid)?.domain
    if (!server) return
    const reply = await bot.request({ to: server, type: 'get', payload: xml('query', { xmlns: NS_DISCO_ITEMS }), timeout: 10_000 })
    const items = reply.getChild('query', NS_DISCO_ITEMS)?.getChildren('item') ?? []
    this.add(...items.flatMap((item) => (item.attrs.jid === undefined ? [] : [item.attrs.jid])))
  }
}
