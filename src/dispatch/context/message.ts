import { bareJid, parseJid } from '../../jid.js'
import { NS_CHATSTATES, NS_DELAY } from '../../ns.js'
import { type XmlElement, xml } from '../../xml.js'
import { defineKind } from '../stanza-kind.js'
import { type ContextLink, StanzaContext } from './stanza-context.js'

/**
 * The message types of RFC 6121; a message without a type is `normal`.
 *
 * @example
 * ```ts
 * await bot.say('team@conference.example.org', 'Deploy finished', 'groupchat')
 * ```
 */
export type MessageType = 'chat' | 'groupchat' | 'normal' | 'headline' | 'error'

/**
 * Chat states of XEP-0085.
 *
 * @example
 * ```ts
 * bot.message({ chatState: 'composing' }, (msg) => msg.log.debug({ from: msg.from }, 'typing'))
 * ```
 */
export type ChatState = 'active' | 'composing' | 'paused' | 'inactive' | 'gone'

const CHAT_STATES: readonly string[] = ['active', 'composing', 'paused', 'inactive', 'gone']
const TYPES: readonly string[] = ['chat', 'groupchat', 'normal', 'headline', 'error']

/**
 * A message stanza, with its fields read out and ways to answer it.
 *
 * @example
 * ```ts
 * bot.message({ type: 'chat', body: /^hi\b/i }, (msg) => msg.reply(`Hello, ${msg.from}!`))
 * ```
 */
export class MessageContext extends StanzaContext {
  readonly kind = 'message'
  readonly type: MessageType
  /** The text of `<body/>`, when there is one. */
  readonly body: string | undefined
  readonly subject: string | undefined
  readonly thread: string | undefined
  /** The XEP-0085 chat state the sender announced, if any. */
  readonly chatState: ChatState | undefined
  /** When the message was sent, if it was delayed (XEP-0203): offline storage, room history, a resend. */
  readonly delayedAt: Date | undefined
  /** For a groupchat message: the room's bare JID. */
  readonly room: string | undefined
  /** For a groupchat message: the sender's nick in the room. */
  readonly nick: string | undefined
  /**
   * Who sent it: `from` outside rooms; in a room, the occupant's real JID when the room discloses
   * it, else undefined. Set by the rooms feature for room messages, as the message arrives.
   */
  realJid: string | undefined
  /** For a groupchat message: whether an occupant named the bot's nick in it. Set by the rooms feature. */
  mentioned = false
  /** For a message from a room: the bot's nick there, by which occupants address it. Set by the rooms feature. */
  ownNick: string | undefined
  #typing = false

  constructor(stanza: XmlElement, link: ContextLink) {
    super(stanza, link)
    const type = stanza.attrs.type ?? 'normal'
    this.type = (TYPES.includes(type) ? type : 'normal') as MessageType
    this.body = stanza.getChildText('body') ?? undefined
    this.subject = stanza.getChildText('subject') ?? undefined
    this.thread = stanza.getChildText('thread') ?? undefined
    const state = stanza.getChildElements().find((c) => c.attrs.xmlns === NS_CHATSTATES && CHAT_STATES.includes(c.name))
    this.chatState = state?.name as ChatState | undefined
    const stamp = stanza.getChild('delay', NS_DELAY)?.attrs.stamp
    const at = stamp === undefined ? undefined : new Date(stamp)
    this.delayedAt = at && !Number.isNaN(at.getTime()) ? at : undefined
    const from = this.type === 'groupchat' ? parseJid(this.from) : undefined
    this.room = from?.bare
    this.nick = from?.resource || undefined
    this.realJid = this.type === 'groupchat' ? undefined : this.from
  }

  /**
   * Shows the sender that the bot is typing (XEP-0085 `composing`), for a handler that takes a
   * while. The reply ends it. Like `reply()`, only for messages with a body.
   *
   * @example
   * ```ts
   * bot.command('report', 'Builds the report', async (cmd) => { await cmd.typing(); await cmd.reply(await slowReport()) })
   * ```
   */
  async typing(): Promise<void> {
    if (this.type !== 'chat' || this.body === undefined) return
    this.#typing = true
    await this.send(xml('message', { to: this.from, type: 'chat' }, xml('composing', { xmlns: NS_CHATSTATES })))
  }

  /** Whether the message was delayed (XEP-0203). */
  get delayed(): boolean {
    return this.delayedAt !== undefined
  }

  /**
   * Answers with a text, keeping the message's type and thread. A groupchat message is answered in
   * the room. Error messages and messages without a body (a chat state, a receipt) are never
   * answered, so two bots cannot loop on each other through them.
   *
   * @example
   * ```ts
   * bot.message({ type: 'chat', body: /^ping$/i }, (msg) => msg.reply('pong'))
   * ```
   */
  async reply(text: string): Promise<void> {
    if (this.type === 'error' || this.body === undefined) return
    const groupchat = this.type === 'groupchat'
    await this.send(
      xml(
        'message',
        { to: groupchat ? bareJid(this.from) : this.from, type: this.type === 'headline' ? 'normal' : this.type },
        xml('body', {}, text),
        this.thread !== undefined && xml('thread', {}, this.thread),
        this.#typing && xml('active', { xmlns: NS_CHATSTATES }),
      ),
    )
    this.#typing = false
  }
}

/**
 * Messages: chat, groupchat, normal, headline and error.
 *
 * @example
 * ```ts
 * bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
 * ```
 */
export const messageKind = defineKind({
  name: 'message',
  element: 'message',
  fields: ['from', 'to', 'id', 'type', 'body', 'subject', 'thread', 'chatState', 'delayedAt', 'lang', 'room', 'nick', 'realJid', 'mentioned'],
  indexed: ['body', 'from', 'type'],
  jidFields: ['from', 'to', 'room', 'realJid'],
  accepts: () => true,
  create: (stanza, link) => new MessageContext(stanza, link),
})

/**
 * Fields a message guard can test.
 *
 * @example
 * ```ts
 * bot.message({ type: 'groupchat', mentioned: true }, (msg) => msg.reply('You called?'))
 * ```
 */
export type MessageField = (typeof messageKind.fields)[number]

declare module '../guards.js' {
  interface ImpliedFields {
    /** A groupchat message always comes from a room; a mention always from an occupant in one. */
    message: { type: { groupchat: 'room' }; mentioned: { true: 'room' | 'nick' } }
  }
}
