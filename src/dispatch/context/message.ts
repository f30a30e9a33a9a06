import { bareJid, parseJid } from '../../jid.js'
import { NS_CHAT_MARKERS, NS_CHATSTATES, NS_DELAY, NS_HINTS, NS_REACTIONS } from '../../ns.js'
import { type XmlChild, type XmlElement, xml } from '../../xml.js'
import { defineKind } from '../stanza-kind.js'
import { ownText } from './fallback.js'
import { type Marker, type MarkerType, type Reaction, type ReplyTo, readReferences, referenceId } from './message-references.js'
import { newMessageId, quotingReply, type TextOptions, textElements } from './outgoing-text.js'
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
 * How `reply()` answers: as a quoting reply or not, and how its text is to be shown.
 *
 * @example
 * ```ts
 * bot.command('weather <city>', 'The weather', async (cmd) => cmd.reply(await forecast(cmd.args.city), { quote: true }))
 * ```
 */
export interface ReplyOptions extends TextOptions {
  /**
   * Answer as a reply to this message (XEP-0461), its text quoted first as `> ` lines for clients
   * that do not know replies (marked as fallback, XEP-0428, so that those that do show their own).
   */
  quote?: boolean
}

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
  /**
   * The text the sender wrote: `<body/>` without what XEP-0428 marks as fallback for what natter reads
   * as fields (a reply's quote, a reaction's or a retraction's stand-in text). Undefined when there is
   * none; the raw body stays in `stanza`.
   */
  readonly body: string | undefined
  readonly subject: string | undefined
  readonly thread: string | undefined
  /** The XEP-0085 chat state the sender announced, if any. */
  readonly chatState: ChatState | undefined
  /** When the message was sent, if it was delayed (XEP-0203): offline storage, room history, a resend. */
  readonly delayedAt: Date | undefined
  /** For a reply (XEP-0461): the message it answers. */
  readonly replyTo: ReplyTo | undefined
  /**
   * For a reaction (XEP-0444): the message and the emojis. Only handlers whose guards name `reaction`
   * see reactions.
   */
  readonly reaction: Reaction | undefined
  /**
   * For a correction (XEP-0308): the id of the message it corrects, whose text `body` replaces. Only
   * handlers whose guards name `correction` see corrections: the commands never do, so a corrected
   * command does not run again.
   */
  readonly correction: string | undefined
  /**
   * For a retraction (XEP-0424): the id of the message the sender takes back. Only handlers whose
   * guards name `retraction` see retractions.
   */
  readonly retraction: string | undefined
  /** For a chat marker (XEP-0333): how far the sender got with a markable message of the bot's. */
  readonly marker: Marker | undefined
  /** Whether the sender asks for chat markers (XEP-0333), which `mark()` sends. */
  readonly markable: boolean
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
    this.body = ownText(stanza)
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
    const references = readReferences(stanza)
    this.replyTo = references.replyTo
    this.reaction = references.reaction
    this.correction = references.correction
    this.retraction = references.retraction
    this.marker = references.marker
    this.markable = references.markable
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
   * answered, so two bots cannot loop on each other through them; a reaction is.
   *
   * @example
   * ```ts
   * bot.message({ type: 'chat', body: /^ping$/i }, (msg) => msg.reply('pong'))
   * bot.message({ type: 'chat', body: /^say (.+)$/ }, (msg) => msg.reply(msg.match[1], { quote: true, unstyled: true }))
   * ```
   */
  async reply(text: string, options: ReplyOptions = {}): Promise<void> {
    if (this.type === 'error' || (this.body === undefined && this.reaction === undefined)) return
    const groupchat = this.type === 'groupchat'
    let quoting: { text: string; elements: XmlChild[] } | undefined
    if (options.quote === true && this.body !== undefined) quoting = quotingReply(this.body, text, { id: this.#referenceId('quote'), author: this.from })
    await this.send(
      xml(
        'message',
        { to: groupchat ? bareJid(this.from) : this.from, type: this.type === 'headline' ? 'normal' : this.type, id: newMessageId() },
        textElements(quoting?.text ?? text, options),
        quoting?.elements,
        this.thread !== undefined && xml('thread', {}, this.thread),
        this.#typing && xml('active', { xmlns: NS_CHATSTATES }),
      ),
    )
    this.#typing = false
  }

  /**
   * Reacts to the message with emojis (XEP-0444). They replace the bot's earlier reactions to it;
   * `react([])` takes them back. Like `reply()`, only for messages with a body.
   *
   * @example
   * ```ts
   * bot.command('deploy', 'Deploys', async (cmd) => { await cmd.react('👀'); await deploy(); await cmd.react('✅') })
   * ```
   */
  async react(emojis: string | readonly string[]): Promise<void> {
    if (this.type === 'error' || this.body === undefined) return
    const id = this.#referenceId('react to')
    const reactions = (typeof emojis === 'string' ? [emojis] : emojis).map((emoji) => xml('reaction', {}, emoji))
    await this.send(xml('message', this.#around(), xml('reactions', { xmlns: NS_REACTIONS, id }, reactions), xml('store', { xmlns: NS_HINTS })))
  }

  /**
   * Tells the sender how far the bot got with the message (XEP-0333 chat marker, `displayed` unless
   * told), when the sender asked for markers (`markable`); otherwise sends nothing.
   *
   * @example
   * ```ts
   * bot.message({ type: 'chat', body: true }, async (msg) => { await msg.mark('displayed'); await msg.reply('On it') })
   * ```
   */
  async mark(type: MarkerType = 'displayed'): Promise<void> {
    if (!this.markable || this.type === 'error') return
    await this.send(xml('message', this.#around(), xml(type, { xmlns: NS_CHAT_MARKERS, id: this.#referenceId('mark') })))
  }

  /** Where what refers to this message goes: the room for a groupchat message, else the sender. */
  #around(): Record<string, string> {
    const groupchat = this.type === 'groupchat'
    return { to: groupchat ? bareJid(this.from) : this.from, type: groupchat ? 'groupchat' : 'chat', id: newMessageId() }
  }

  #referenceId(action: string): string {
    const id = referenceId(this.stanza, this.room)
    if (id === undefined) throw new Error(`cannot ${action} a message that has no id`)
    return id
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
  fields: [
    'from',
    'to',
    'id',
    'type',
    'body',
    'subject',
    'thread',
    'chatState',
    'delayedAt',
    'lang',
    'room',
    'nick',
    'realJid',
    'mentioned',
    'replyTo',
    'reaction',
    'correction',
    'retraction',
    'marker',
    'markable',
  ],
  indexed: ['body', 'from', 'type'],
  optIn: ['correction', 'retraction', 'reaction'],
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
