import { StanzaError, type StanzaErrorType } from '../errors.js'
import { bareJid } from '../jid.js'
import { type XmlChild, type XmlElement, xml } from '../xml.js'

/**
 * The test server's result for an IQ request of the bot, from whom it was sent to (the bot's account
 * when it had no `to`).
 */
export function iqResult(request: XmlElement, botJid: string, ...children: XmlChild[]): XmlElement {
  return xml('iq', { type: 'result', id: request.attrs.id, from: request.attrs.to ?? bareJid(botJid), to: botJid }, ...children)
}

/** The test server's error reply to an IQ request of the bot. */
export function iqError(request: XmlElement, botJid: string, condition: string, type: StanzaErrorType): XmlElement {
  return xml('iq', { type: 'error', id: request.attrs.id, from: request.attrs.to ?? bareJid(botJid), to: botJid }, new StanzaError(condition, type).toElement())
}
