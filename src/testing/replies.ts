import type { XmlElement } from '../xml.js'

/**
 * What the bot sent to one party: an array of the message texts, in order, that also keeps the
 * stanzas behind them (presences and IQs too) and who each text went to.
 *
 * @example
 * ```ts
 * const replies = await alice.say('help')
 * expect(replies).toEqual(['Commands: ...'])
 * expect(replies.recipients).toEqual(['alice@example.org/test'])
 * ```
 */
export class Replies extends Array<string> {
  // Derived arrays (map, filter, slice) are plain ones: they have no stanzas to keep.
  static override get [Symbol.species](): ArrayConstructor {
    return Array
  }

  readonly #stanzas: readonly XmlElement[]
  readonly #recipients: readonly string[]

  constructor(stanzas: readonly XmlElement[]) {
    super()
    const texts = stanzas.filter((s) => s.name === 'message' && s.getChild('body') !== undefined)
    this.push(...texts.map((s) => s.getChildText('body') ?? ''))
    this.#stanzas = stanzas
    this.#recipients = texts.map((s) => s.attrs.to ?? '')
  }

  /** Every stanza sent to the party, in order: messages, presences, IQs. */
  get stanzas(): readonly XmlElement[] {
    return this.#stanzas
  }

  /** Who each text went to (its `to`), index by index: a room, an occupant, a full or bare JID. */
  get recipients(): readonly string[] {
    return this.#recipients
  }
}
