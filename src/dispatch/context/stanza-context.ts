import { isDomainJid } from '../../jid.js'
import type { Logger } from '../../log/logger.js'
import type { XmlElement } from '../../xml.js'

/** What a context needs from its bot: who the bot is, where to log, a way to send. */
export interface ContextLink {
  /** The bot's full JID on this session. */
  readonly jid: string
  readonly log: Logger
  send(stanza: XmlElement): Promise<void>
}

/**
 * What every handler context holds: the stanza and its addressing.
 *
 * @example
 * ```ts
 * bot.use((ctx, next) => { ctx.log.info({ from: ctx.from }, ctx.stanza.name); return next() })
 * ```
 */
export abstract class StanzaContext {
  /** The stanza kind this context is for, as its registration method names it, e.g. `message` or `rosterPush`. */
  abstract readonly kind: string
  /** The sender's JID as it came (full or bare); the server's domain when the stanza has no `from`. */
  readonly from: string
  /** The addressee: normally the bot's own JID; for a component, whichever address at its domain was written to. */
  readonly to: string
  /** The stanza's `id`, when it has one. */
  readonly id: string | undefined
  /** The `xml:lang` of the stanza, when given. */
  readonly lang: string | undefined
  /** What the RegExp of the matching guard captured, when it had one. */
  match: RegExpMatchArray | undefined
  /** The raw stanza, for anything the context does not expose. */
  readonly stanza: XmlElement
  readonly #link: ContextLink

  constructor(stanza: XmlElement, link: ContextLink) {
    this.stanza = stanza
    this.#link = link
    this.from = stanza.attrs.from ?? domainOf(link.jid)
    this.to = stanza.attrs.to ?? link.jid
    this.id = stanza.attrs.id
    this.lang = stanza.attrs['xml:lang']
  }

  /** The bot's logger. */
  get log(): Logger {
    return this.#link.log
  }

  /** Sends any stanza; a component's comes from the address this stanza was sent to, unless it says otherwise. */
  send(stanza: XmlElement): Promise<void> {
    if (isDomainJid(this.#link.jid) && stanza.attrs.from === undefined) stanza.attrs.from = this.to
    return this.#link.send(stanza)
  }
}

function domainOf(jid: string): string {
  const at = jid.indexOf('@')
  const slash = jid.indexOf('/', at + 1)
  return jid.slice(at + 1, slash === -1 ? undefined : slash)
}
