import { BotCore } from '../bot/bot-core.js'
import type { AttachedBot } from '../bot/wire.js'
import type { MessageType } from '../dispatch/context/message.js'
import { StanzaError, UndeliveredError } from '../errors.js'
import type { IqAnswer } from '../iq-answer.js'
import { bareJid } from '../jid.js'
import { NS_PING } from '../ns.js'
import type { StoreBackend } from '../plugins/store/backend.js'
import { MemoryBackend } from '../plugins/store/memory-backend.js'
import { useStoreBackend } from '../plugins/store/store.js'
import { type XmlElement, xml } from '../xml.js'
import { Exchange } from './exchange.js'
import { type Replies, repliesOf } from './replies.js'

/**
 * A bot wired to memory instead of a server, to unit-test its handlers: hand it stanzas, read what it
 * sent. You play the server: nothing answers the bot's own requests or joins unless you do (the
 * {@link TestKit} does that for you). Inbound IQs are answered as the real transport answers them
 * (results, errors, `service-unavailable`, `bad-request`, pings). `bot.store` keeps its values in
 * memory, whatever the settings say.
 *
 * @example
 * ```ts
 * const chat = new TestChat(bot)
 * expect(await chat.say('alice@example.org/phone', 'hi')).toEqual(['You said: hi'])
 * ```
 */
export class TestChat {
  /** Every stanza the bot sent, in order, including its answers to IQs. */
  readonly sent: XmlElement[] = []
  /** The bot's full JID in this chat. */
  readonly jid: string
  #bot: AttachedBot
  #server: ((stanza: XmlElement) => void) | undefined
  #online = true
  /** @internal Where the bot's store keeps values: memory, shared by the bots of a restart. */
  protected readonly storeBackend: StoreBackend = new MemoryBackend()

  constructor(bot: BotCore, options: { jid?: string } = {}) {
    this.jid = options.jid ?? 'bot@example.org/natter'
    this.#bot = this.#attach(bot)
  }

  /** @internal Wires another bot in place of the one before, as a new process on the same server and store. */
  protected rewire(bot: BotCore): void {
    this.#online = true
    this.#bot = this.#attach(bot)
  }

  #attach(bot: BotCore): AttachedBot {
    useStoreBackend(bot, this.storeBackend)
    const chat = this
    return BotCore.attachWire(bot, {
      jid: this.jid,
      get online() {
        return chat.#online
      },
      // The test kit loses nothing across a drop it does not have.
      streamManagement: true,
      // Nothing waits: a stanza is in `sent` as soon as it is written.
      queues: { outbox: 0, writes: 0 },
      send: async (stanza) => {
        if (!this.#online) throw new UndeliveredError('stopped')
        this.sent.push(stanza)
        Exchange.current()?.record(stanza)
        this.#server?.(stanza)
      },
      holdInbound: () => {},
      close: async (goodbye) => {
        this.sent.push(goodbye)
        this.#online = false
      },
    })
  }

  /**
   * Hands a stanza to the bot as if it came from the server, waits until the handlers it started are
   * done (not others running meanwhile), and returns what those sent; for an IQ get or set, the
   * reply comes last. A stanza without `to` is addressed to the bot.
   *
   * @example
   * ```ts
   * const [ack] = await chat.receive(xml('iq', { type: 'set', id: 'push-1' }, xml('query', { xmlns: 'jabber:iq:roster' })))
   * ```
   */
  async receive(stanza: XmlElement): Promise<XmlElement[]> {
    if (stanza.attrs.to === undefined) stanza.attrs.to = this.jid
    const exchange = new Exchange()
    let run: Promise<unknown> | undefined
    const request = isRequest(stanza)
    // The transport answers pings to the bot itself, before any handler.
    const pinged = request && stanza.attrs.type === 'get' && stanza.getChildElements()[0]?.is('ping', NS_PING)
    const answer = pinged ? { result: undefined } : exchange.run(() => this.#bot.receive(stanza, (started) => (run = started)))
    const reply = request ? replyTo(stanza, await answer) : undefined
    const out = await exchange.close(run)
    if (!reply) return [...out]
    this.sent.push(reply)
    return [...out, reply]
  }

  /**
   * Sends a text message to the bot and returns what the bot sent back to the sender: to the sender's
   * JID (any resource) for a chat, to the room or the occupant for a groupchat message.
   *
   * @example
   * ```ts
   * await chat.say('alice@example.org/phone', 'help')
   * await chat.say('lobby@conference.example.org/carol', 'bot: help', 'groupchat')
   * ```
   */
  async say(from: string, body: string, type: MessageType = 'chat'): Promise<Replies> {
    const out = await this.receive(xml('message', { from, type, id: nextId() }, xml('body', {}, body)))
    const sender = bareJid(from)
    const toSender = type === 'groupchat' ? (to: string) => to === sender || to === from : (to: string) => bareJid(to) === sender
    return repliesOf(out.filter((s) => s.attrs.to !== undefined && toSender(s.attrs.to)))
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
    const out = await this.receive(xml('iq', { from, type, id: nextId() }, payload))
    const reply = out.at(-1)
    if (reply?.name !== 'iq') throw new Error('the bot sent no IQ reply')
    return reply
  }

  /** @internal Lets the test kit play the server: `server` sees every stanza the bot sends. */
  protected serve(server: (stanza: XmlElement) => void): void {
    this.#server = server
  }

  /** @internal Brings the bot online, as after a fresh login. */
  protected comeOnline(): void {
    this.#bot.online()
  }
}

let counter = 0

/** @internal A fresh stanza id for what the test sends. */
export function nextId(): string {
  return `test-${++counter}`
}

function isRequest(stanza: XmlElement): boolean {
  return stanza.name === 'iq' && stanza.attrs.type !== 'result' && stanza.attrs.type !== 'error'
}

/** The IQ reply the transport sends for an answer: an error carries the request's payload back. */
function replyTo(request: XmlElement, answer: IqAnswer): XmlElement {
  const query = request.getChildElements()[0]
  const reply = (type: 'result' | 'error', ...children: Array<XmlElement | undefined>): XmlElement =>
    xml('iq', { to: request.attrs.from, from: request.attrs.to, id: request.attrs.id, type }, ...children)
  if (!answer) return reply('error', query, new StanzaError('service-unavailable', 'cancel').toElement())
  if ('error' in answer) return reply('error', query, answer.error)
  return reply('result', answer.result)
}
