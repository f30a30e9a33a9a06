import { randomUUID } from 'node:crypto'
import { NS_CHAT_MARKERS, NS_FALLBACK, NS_REPLY, NS_STYLING } from '../../ns.js'
import { type XmlChild, type XmlElement, xml } from '../../xml.js'

/**
 * How a text the bot sends is to be shown.
 *
 * XEP-0393 styling has no escapes: a `*`, `_`, `~` or `` ` `` in what a user wrote styles it, and
 * can end the bot's own emphasis early, whatever the bot does to the text. `unstyled` is the one
 * correct way to send text that carries user input: the recipient shows the whole body as typed.
 *
 * @example
 * ```ts
 * bot.command('echo <text...>', 'Repeats the text', (cmd) => cmd.reply(cmd.args.text, { unstyled: true }))
 * ```
 */
export interface TextOptions {
  /** Adds XEP-0393's `<unstyled/>`: no bold, italics, quotes or code blocks, in the bot's part of the text either. */
  unstyled?: boolean
  /** Asks the recipient for chat markers (XEP-0333), which come back as messages with a `marker`. */
  markable?: boolean
}

/**
 * How `bot.say()` sends a text: its message type, and how the text is to be shown.
 *
 * @example
 * ```ts
 * await bot.say('team@conference.example.org', `New issue: ${title}`, { type: 'groupchat', unstyled: true })
 * ```
 */
export interface SayOptions extends TextOptions {
  /** Default `chat`. */
  type?: 'chat' | 'groupchat' | 'normal' | 'headline'
}

/**
 * A fresh id for a message the bot sends: replies, reactions, corrections and markers of others refer
 * to it.
 */
export function newMessageId(): string {
  return randomUUID()
}

/** A text message to `to`, as `bot.say()` sends it; a bare type stands for `{ type }`. */
export function textMessage(to: string, text: string, options: SayOptions['type'] | SayOptions = {}): XmlElement {
  const { type = 'chat', ...shown } = typeof options === 'string' ? { type: options } : options
  return xml('message', { to, type, id: newMessageId() }, textElements(text, shown))
}

/** The body of a text message and the elements its options add. */
export function textElements(text: string, options: TextOptions = {}): XmlChild[] {
  return [
    xml('body', {}, text),
    options.unstyled === true && xml('unstyled', { xmlns: NS_STYLING }),
    options.markable === true && xml('markable', { xmlns: NS_CHAT_MARKERS }),
  ]
}

/**
 * A reply that quotes (XEP-0461): the quoted lines as `> ` lines before the text, for clients without
 * replies, marked as fallback (XEP-0428, counted in code points) so that those with them show their own.
 */
export function quotingReply(quoted: string, text: string, to: { id: string; author: string }): { text: string; elements: XmlChild[] } {
  const quote = `${quoted
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n')}\n`
  return {
    text: quote + text,
    elements: [
      xml('reply', { xmlns: NS_REPLY, id: to.id, to: to.author }),
      xml('fallback', { xmlns: NS_FALLBACK, for: NS_REPLY }, xml('body', { start: 0, end: Array.from(quote).length })),
    ],
  }
}
