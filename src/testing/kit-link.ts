import type { XmlElement } from '../xml.js'

/** What the parts of the test kit (contacts, rooms, the roster) need of it. */
export interface KitLink {
  /** The bot's full JID. */
  readonly botJid: string
  /** Everything the bot sent so far. */
  readonly sent: readonly XmlElement[]
  /**
   * Hands stanzas from the test to the bot, in order, once the server's pending answers are through;
   * resolves with what the bot sent while handling them.
   */
  deliver(...stanzas: XmlElement[]): Promise<XmlElement[]>
  /** Hands stanzas to the bot as the server's answer to what it just sent, once the current turn is over. */
  answer(...stanzas: XmlElement[]): void
}
