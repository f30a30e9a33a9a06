import { bareJid } from '../jid.js'
import { NS_VCARD } from '../ns.js'
import type { XmlElement } from '../xml.js'
import { iqError, iqResult } from './iq-replies.js'

/**
 * The test server's vCards (XEP-0054): the bot's own, which it sets and reads back.
 *
 * @example
 * ```ts
 * expect(kit.vcards.of(kit.jid)?.getChildText('FN')).toBe('Deploy Bot')
 * ```
 */
export class TestVcards {
  readonly #held = new Map<string, XmlElement>()
  /**
   * How many times the bot set its vCard: a start that changed nothing sets none.
   *
   * @example
   * ```ts
   * await kit.restart()
   * expect(kit.vcards.sets).toBe(1)
   * ```
   */
  sets = 0

  /**
   * The vCard the server holds for a JID (any resource of it).
   *
   * @example
   * ```ts
   * expect(kit.vcards.of(kit.jid)?.getChildText('NICKNAME')).toBe('Deploy Bot')
   * ```
   */
  of(jid: string): XmlElement | undefined {
    return this.#held.get(bareJid(jid))
  }

  /** @internal The server's answer to the bot's vCard get or set on its own account. */
  answer(request: XmlElement, botJid: string): XmlElement[] {
    const own = bareJid(botJid)
    const vcard = request.getChild('vCard', NS_VCARD)
    if (request.attrs.type === 'set' && vcard) {
      this.#held.set(own, vcard)
      this.sets++
      return [iqResult(request, botJid)]
    }
    const held = this.#held.get(bareJid(request.attrs.to ?? own))
    return held ? [iqResult(request, botJid, held)] : [iqError(request, botJid, 'item-not-found', 'cancel')]
  }
}
