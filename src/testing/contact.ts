import type { MessageType } from '../dispatch/context/message.js'
import { quotingReply } from '../dispatch/context/outgoing-text.js'
import type { Show } from '../dispatch/context/presence.js'
import type { SubscriptionType } from '../dispatch/context/subscription.js'
import { bareJid } from '../jid.js'
import { NS_CONFERENCE, NS_CORRECTION, NS_FALLBACK, NS_MUC_USER, NS_PUBSUB_EVENT, NS_REACTIONS, NS_RETRACT } from '../ns.js'
import type { FormValue } from '../plugins/forms/form-values.js'
import { type XmlElement, xml } from '../xml.js'
import { type AdhocOutcome, runAdhoc } from './adhoc-run.js'
import { nextId } from './chat.js'
import type { KitLink } from './kit-link.js'
import { type Replies, repliesOf } from './replies.js'
import type { TestRoster } from './roster.js'

/**
 * Someone who talks to the bot in a test: sends messages, presence, subscription requests and IQs,
 * and sees what the bot sends to them (to their bare JID or any of their resources).
 *
 * @example
 * ```ts
 * const alice = kit.contact('alice@example.org')
 * expect(await alice.say('hi')).toEqual(['You said: hi'])
 * await alice.subscribe()
 * ```
 */
export class TestContact {
  /** The contact's full JID, the `from` of what they send. */
  readonly jid: string
  /** The contact's bare JID. */
  readonly bare: string
  readonly #link: KitLink
  readonly #roster: TestRoster
  /** The id of the last message this contact sent with `say()`, which `correct()` and `retract()` refer to. */
  #last: string | undefined

  /** @internal Made by `kit.contact()`. */
  constructor(link: KitLink, roster: TestRoster, jid: string) {
    this.#link = link
    this.#roster = roster
    this.jid = jid
    this.bare = bareJid(jid)
  }

  /**
   * Sends the bot a message and resolves, once the handlers it started are done, with what the bot
   * sent back to this contact.
   *
   * @example
   * ```ts
   * expect(await alice.say('roll 20')).toHaveLength(1)
   * await alice.say('status', { type: 'normal', thread: 't-1' })
   * await alice.say('hi', { to: 'echo@svc.example.org' }) // to a component, at any address of its domain
   * ```
   */
  say(text: string, options: { type?: Exclude<MessageType, 'groupchat' | 'error'>; thread?: string; to?: string } = {}): Promise<Replies> {
    const { type = 'chat', thread, to } = options
    this.#last = nextId()
    return this.send(xml('message', { type, to, id: this.#last }, xml('body', {}, text), thread !== undefined && xml('thread', {}, thread)))
  }

  /**
   * Corrects the contact's last message (XEP-0308) with a new text, as clients do.
   *
   * @example
   * ```ts
   * await alice.say('todo add mlik')
   * expect(await alice.correct('todo add milk')).toEqual([]) // the command does not run again
   * ```
   */
  correct(text: string): Promise<Replies> {
    const id = this.#lastSaid('correct')
    this.#last = nextId()
    return this.send(xml('message', { type: 'chat', id: this.#last }, xml('body', {}, text), xml('replace', { xmlns: NS_CORRECTION, id })))
  }

  /**
   * Takes back the contact's last message (XEP-0424), with the stand-in text clients send along.
   *
   * @example
   * ```ts
   * await alice.say('oops')
   * await alice.retract()
   * ```
   */
  retract(): Promise<Replies> {
    const id = this.#lastSaid('retract')
    const body = 'This person attempted to retract a previous message, but it is unsupported by your client.'
    return this.send(
      xml(
        'message',
        { type: 'chat', id: nextId() },
        xml('body', {}, body),
        xml('retract', { xmlns: NS_RETRACT, id }),
        xml('fallback', { xmlns: NS_FALLBACK, for: NS_RETRACT }),
      ),
    )
  }

  /**
   * Reacts with emojis (XEP-0444) to a message the bot sent this contact: the last one unless given
   * (its stanza, from `replies.stanzas`, or its id). An empty list takes the reactions back.
   *
   * @example
   * ```ts
   * await alice.say('deploy')
   * await alice.react('👍')
   * ```
   */
  react(emojis: string | readonly string[], to?: XmlElement | string): Promise<Replies> {
    const id = this.#botMessage(to).attrs.id ?? ''
    const reactions = (typeof emojis === 'string' ? [emojis] : emojis).map((emoji) => xml('reaction', {}, emoji))
    return this.send(xml('message', { type: 'chat', id: nextId() }, xml('reactions', { xmlns: NS_REACTIONS, id }, reactions)))
  }

  /**
   * Answers a message the bot sent this contact (XEP-0461), the last one unless given, quoting it as
   * clients do: `> ` lines marked as fallback (XEP-0428), which the bot's handlers do not see in `body`.
   *
   * @example
   * ```ts
   * await alice.say('quiz')
   * expect(await alice.reply('Paris')).toEqual(['Right!'])
   * ```
   */
  reply(text: string, to?: XmlElement | string): Promise<Replies> {
    const message = this.#botMessage(to)
    const { text: body, elements } = quotingReply(message.getChildText('body') ?? '', text, {
      id: message.attrs.id ?? '',
      author: message.attrs.from ?? this.#link.botJid,
    })
    this.#last = nextId()
    return this.send(xml('message', { type: 'chat', id: this.#last }, xml('body', {}, body), elements))
  }

  /**
   * Sends the bot any stanza from this contact (its `from` is set) and resolves with what the bot
   * sent back to the contact.
   *
   * @example
   * ```ts
   * await alice.send(xml('message', { type: 'chat' }, xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' })))
   * ```
   */
  async send(stanza: XmlElement): Promise<Replies> {
    stanza.attrs.from = this.jid
    return this.#toMe(await this.#link.deliver(stanza))
  }

  /**
   * Sends an IQ get or set to the bot and resolves with its reply.
   *
   * @example
   * ```ts
   * const reply = await alice.iq('get', xml('query', { xmlns: 'jabber:iq:version' }))
   * ```
   */
  async iq(type: 'get' | 'set', payload: XmlElement): Promise<XmlElement> {
    const out = await this.#link.deliver(xml('iq', { from: this.jid, type, id: nextId() }, payload))
    const reply = out.at(-1)
    if (reply?.name !== 'iq') throw new Error('the bot sent no IQ reply')
    return reply
  }

  /**
   * Runs an ad-hoc command (XEP-0050) as the contact's client would: executes it, fills in each form it
   * asks for from `values` and goes on, and resolves where it stopped: completed with its notes (or
   * result form), or executing with the form that asks for what `values` lacks. An error reply (e.g.
   * `forbidden`) rejects with its `StanzaError`.
   *
   * @example
   * ```ts
   * expect((await alice.adhoc('echo', { text: 'hi' })).text).toBe('hi')
   * expect((await alice.adhoc('echo')).form?.fields[0]?.var).toBe('text')
   * ```
   */
  adhoc(node: string, values?: Readonly<Record<string, FormValue>>): Promise<AdhocOutcome> {
    return runAdhoc((payload) => this.iq('set', payload), node, values)
  }

  /**
   * Tells the bot the contact is available, with an optional show, status and priority.
   *
   * @example
   * ```ts
   * await alice.available({ show: 'dnd', status: 'in a meeting' })
   * ```
   */
  available(options: { show?: Show; status?: string; priority?: number } = {}): Promise<Replies> {
    const { show, status, priority } = options
    return this.send(
      xml(
        'presence',
        {},
        show && xml('show', {}, show),
        status !== undefined && xml('status', {}, status),
        priority !== undefined && xml('priority', {}, String(priority)),
      ),
    )
  }

  /**
   * Tells the bot the contact went offline.
   *
   * @example
   * ```ts
   * await alice.unavailable('gone home')
   * ```
   */
  unavailable(status?: string): Promise<Replies> {
    return this.send(xml('presence', { type: 'unavailable' }, status !== undefined && xml('status', {}, status)))
  }

  /**
   * Asks to see the bot's presence; resolves with the bot's answer (`replies.stanzas`, e.g. a
   * `subscribed` presence). When the bot approves, the server adds the contact to the bot's roster.
   *
   * @example
   * ```ts
   * const answer = await alice.subscribe()
   * expect(answer.stanzas.map((s) => s.attrs.type)).toEqual(['subscribed'])
   * ```
   */
  subscribe(): Promise<Replies> {
    return this.#subscription('subscribe')
  }

  /**
   * Stops seeing the bot's presence.
   *
   * @example
   * ```ts
   * await alice.unsubscribe()
   * ```
   */
  unsubscribe(): Promise<Replies> {
    return this.#subscription('unsubscribe')
  }

  /**
   * Lets the bot see the contact's presence (answers the bot's `subscribe`): the server updates the
   * bot's roster, hands it the approval, then the contact's presence.
   *
   * @example
   * ```ts
   * await alice.approve()
   * expect(bot.roster.get(alice.bare)?.subscription).toBe('to')
   * ```
   */
  async approve(): Promise<Replies> {
    const answer = await this.#subscription('subscribed')
    const presence = await this.available()
    return repliesOf([...answer.stanzas, ...presence.stanzas])
  }

  /**
   * Refuses, or revokes, the bot's subscription to the contact's presence.
   *
   * @example
   * ```ts
   * await alice.deny()
   * ```
   */
  deny(): Promise<Replies> {
    return this.#subscription('unsubscribed')
  }

  /**
   * Invites the bot to a room: directly (XEP-0249), or mediated by the room (XEP-0045) with
   * `mediated: true`. Resolves with what the bot sent while handling it: its join, for one accepted.
   *
   * @example
   * ```ts
   * await alice.invite('team@conference.example.org', { reason: 'standup' })
   * expect(bot.rooms.list()).toContain('team@conference.example.org')
   * ```
   */
  invite(room: string, options: { reason?: string; password?: string; mediated?: boolean } = {}): Promise<XmlElement[]> {
    const { reason, password } = options
    if (!options.mediated) {
      return this.#link.deliver(xml('message', { from: this.jid, id: nextId() }, xml('x', { xmlns: NS_CONFERENCE, jid: room, reason, password })))
    }
    const x = xml(
      'x',
      { xmlns: NS_MUC_USER },
      xml('invite', { from: this.jid }, reason !== undefined && xml('reason', {}, reason)),
      password !== undefined && xml('password', {}, password),
    )
    return this.#link.deliver(xml('message', { from: bareJid(room), id: nextId() }, x))
  }

  /**
   * Publishes an item on the contact's PEP and hands the bot the event, as the contact's server does
   * for a node the bot announced interest in. Resolves with what the bot sent while handling it.
   *
   * @example
   * ```ts
   * await alice.publish('urn:xmpp:microblog:0', xml('entry', { xmlns: 'http://www.w3.org/2005/Atom' }, xml('title', {}, 'hello')))
   * ```
   */
  publish(node: string, payload: XmlElement, options: { id?: string } = {}): Promise<XmlElement[]> {
    const item = xml('item', { id: options.id ?? nextId() }, payload)
    return this.#link.deliver(xml('message', { from: this.bare, id: nextId() }, xml('event', { xmlns: NS_PUBSUB_EVENT }, xml('items', { node }, item))))
  }

  /**
   * Everything the bot sent to this contact so far, from any handler or timer.
   *
   * @example
   * ```ts
   * expect(alice.received.at(-1)).toBe('Reminder: stretch')
   * ```
   */
  get received(): Replies {
    return this.#toMe(this.#link.sent)
  }

  async #subscription(type: SubscriptionType): Promise<Replies> {
    // As a server does: the roster changes (and is pushed) before the presence is handed over.
    const push = this.#roster.follow('contact', type, this.jid)
    const presence = xml('presence', { from: this.jid, type })
    return this.#toMe(await this.#link.deliver(...(push ? [push, presence] : [presence])))
  }

  #lastSaid(action: string): string {
    if (this.#last === undefined) throw new TypeError(`${this.jid} has said nothing to ${action} yet: say() something first`)
    return this.#last
  }

  /** A message of the bot's to this contact: the one given (or with the id given), else the last. */
  #botMessage(to: XmlElement | string | undefined): XmlElement {
    if (typeof to === 'object') return to
    const messages = this.received.stanzas.filter((s) => s.name === 'message' && s.attrs.id !== undefined && (to === undefined || s.attrs.id === to))
    const message = messages.at(-1)
    if (message) return message
    // A message id the test knows of, which the bot did not send here: refer to it all the same.
    if (to !== undefined) return xml('message', { id: to })
    throw new TypeError(`the bot has sent ${this.jid} no message to refer to yet`)
  }

  #toMe(stanzas: readonly XmlElement[]): Replies {
    return repliesOf(stanzas.filter((s) => s.attrs.to !== undefined && bareJid(s.attrs.to) === this.bare))
  }
}
