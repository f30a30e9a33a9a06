import { attachWire, type BotCore } from './bot.js'
import type { MessageType } from './context/message.js'
import { StanzaError } from './errors.js'
import { xml, type XmlElement } from './xml.js'

/**
 * A bot wired to memory instead of a server, to unit-test its handlers: push stanzas in, read what the
 * bot sent. Inbound IQs are answered as the real transport answers them (results, errors,
 * `service-unavailable`, pings).
 *
 * @example
 * ```ts
 * const chat = new TestChat(bot)
 * expect(await chat.say('alice@example.org/phone', 'hi')).toEqual(['You said: hi'])
 * ```
 */
export class TestChat {
  /** Every stanza the bot sent, in order. */
  readonly sent: XmlElement[] = []
  /** The bot's full JID in this chat. */
  readonly jid: string
  readonly #bot: ReturnType<typeof attachWire>

  constructor(bot: BotCore, options: { jid?: string } = {}) {
    this.jid = options.jid ?? 'bot@example.org/natter'
    const sent = this.sent
    const jid = this.jid
    this.#bot = attachWire(bot, {
      jid,
      online: true,
      async send(stanza) {
        sent.push(stanza)
      },
    })
  }

  /**
   * Hands a stanza to the bot as if it came from the server, waits until its handlers are done, and
   * returns what the bot sent meanwhile (for an IQ get/set, the reply is last).
   */
  async receive(stanza: XmlElement): Promise<XmlElement[]> {
    const from = this.sent.length
    if (stanza.attrs.to === undefined) stanza.attrs.to = this.jid
    const answer = await this.#answer(stanza)
    await this.#bot.idle()
    if (answer) this.sent.push(answer)
    return this.sent.slice(from)
  }

  /**
   * Sends a text message to the bot and returns the bodies of the messages it sent back.
   *
   * @example
   * ```ts
   * await chat.say('alice@example.org/phone', 'help')
   * ```
   */
  async say(from: string, body: string, type: MessageType = 'chat'): Promise<string[]> {
    const out = await this.receive(xml('message', { from, type, id: `test-${++counter}` }, xml('body', {}, body)))
    return out.filter((s) => s.name === 'message').map((s) => s.getChildText('body') ?? '')
  }

  /**
   * Sends an IQ get or set to the bot and returns its reply stanza.
   *
   * @example
   * ```ts
   * const reply = await chat.iq('alice@example.org/phone', 'get', xml('query', { xmlns: 'jabber:iq:version' }))
   * ```
   */
  async iq(from: string, type: 'get' | 'set', payload: XmlElement): Promise<XmlElement> {
    const out = await this.receive(xml('iq', { from, type, id: `test-${++counter}` }, payload))
    const reply = out.at(-1)
    if (!reply || reply.name !== 'iq') throw new Error('the bot sent no IQ reply')
    return reply
  }

  async #answer(stanza: XmlElement): Promise<XmlElement | undefined> {
    const type = stanza.attrs.type
    const isRequest = stanza.name === 'iq' && type !== 'result' && type !== 'error'
    const query = stanza.getChildElements()[0]
    if (isRequest && query?.is('ping', 'urn:xmpp:ping') && type === 'get') return reply(stanza, 'result')
    const answer = await this.#bot.receive(stanza)
    if (!isRequest) return undefined
    if (!answer) return reply(stanza, 'error', query, new StanzaError('service-unavailable', 'cancel').toElement())
    if ('error' in answer) return reply(stanza, 'error', query, answer.error)
    return reply(stanza, 'result', answer.result)
  }
}

let counter = 0

function reply(request: XmlElement, type: 'result' | 'error', ...children: Array<XmlElement | undefined>): XmlElement {
  return xml('iq', { to: request.attrs.from, from: request.attrs.to, id: request.attrs.id, type }, ...children)
}

