import type { XmlElement } from '../xml.js'

/**
 * What the bot sent to one party: a plain array of the message texts, in order, that also keeps
 * (as properties that equality checks ignore) the stanzas behind them, presences and IQs too, and
 * who each text went to.
 *
 * @example
 * ```ts
 * const replies = await alice.say('help')
 * expect(replies).toEqual(['Commands: ...'])
 * expect(replies.recipients).toEqual(['alice@example.org/test'])
 * ```
 */
export type Replies = string[] & {
  /** Every stanza sent to the party, in order: messages, presences, IQs. */
  readonly stanzas: readonly XmlElement[]
  /** Who each text went to (its `to`), index by index: a room, an occupant, a full or bare JID. */
  readonly recipients: readonly string[]
  /**
   * Whom each text came from (its `from` as the bot wrote it, empty when it left that to the server), index by
   * index: a component's replies come from whichever of its addresses was written to.
   */
  readonly senders: readonly string[]
}

/**
 * The replies among what the bot sent to a party. A plain array, so that `assert.deepStrictEqual`
 * and `toStrictEqual` compare it with a list of texts: the extras are not enumerable.
 */
export function repliesOf(stanzas: readonly XmlElement[]): Replies {
  const texts = stanzas.filter((s) => s.name === 'message' && s.getChild('body') !== undefined)
  const replies = texts.map((s) => s.getChildText('body') ?? '')
  return Object.defineProperties(replies, {
    stanzas: { value: stanzas, enumerable: false },
    recipients: { value: texts.map((s) => s.attrs.to ?? ''), enumerable: false },
    senders: { value: texts.map((s) => s.attrs.from ?? ''), enumerable: false },
  }) as Replies
}
