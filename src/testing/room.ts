import { StanzaError } from '../errors.js'
import { bareJid, parseJid } from '../jid.js'
import { NS_DELAY, NS_MUC, NS_MUC_ADMIN, NS_MUC_OWNER, NS_MUC_USER } from '../ns.js'
import { type XmlElement, xml } from '../xml.js'
import { nextId } from './chat.js'
import { iqError, iqResult } from './iq-replies.js'
import type { KitLink } from './kit-link.js'
import { type Replies, repliesOf } from './replies.js'

/**
 * An occupant's role in a room (XEP-0045, 5.1).
 *
 * @example
 * ```ts
 * await kit.room(team, { occupants: [{ nick: 'mod', role: 'moderator' satisfies MucRole }] })
 * ```
 */
export type MucRole = 'moderator' | 'participant' | 'visitor' | 'none'

/**
 * An occupant's long-lived standing in a room (XEP-0045, 5.2).
 *
 * @example
 * ```ts
 * await kit.room(team, { bot: { affiliation: 'admin' satisfies MucAffiliation, role: 'moderator' } })
 * ```
 */
export type MucAffiliation = 'owner' | 'admin' | 'member' | 'outcast' | 'none'

/**
 * Someone in a test room: a nick, the real JID behind it, a role and an affiliation.
 *
 * @example
 * ```ts
 * const carol: OccupantSetup = { nick: 'carol', jid: 'carol@example.org/laptop', role: 'moderator' }
 * ```
 */
export interface OccupantSetup {
  readonly nick: string
  /** The occupant's real JID. Default: `<nick>@<the bot's domain>/test`. */
  readonly jid?: string
  /** Default `participant`. */
  readonly role?: MucRole
  /** Default `none`. */
  readonly affiliation?: MucAffiliation
}

/**
 * How a test room is set up: who is in it, what it says on entry, and what it tells the bot.
 *
 * @example
 * ```ts
 * const room = await kit.room('team@conference.example.org', {
 *   occupants: ['carol', { nick: 'dave', jid: 'dave@example.org/desk', role: 'moderator' }],
 *   subject: 'Release day',
 *   history: [{ nick: 'carol', body: 'bot: help' }],
 * })
 * ```
 */
export interface RoomSetup {
  /** The occupants besides the bot; a nick alone stands for `{ nick }`. */
  readonly occupants?: ReadonlyArray<string | OccupantSetup>
  readonly subject?: string
  /** Messages said before the bot came, replayed (delayed) when it joins. */
  readonly history?: ReadonlyArray<{ readonly nick: string; readonly body: string; readonly at?: Date }>
  /** Semi-anonymous: real JIDs are shown to moderators only. Default false: shown to everyone. */
  readonly anonymous?: boolean
  /** A password the bot must join with. */
  readonly password?: string
  /** The bot's nick when the kit makes it join, and the role and affiliation the room gives it. */
  readonly bot?: { readonly nick?: string; readonly role?: MucRole; readonly affiliation?: MucAffiliation }
}

/**
 * An occupant as the room service knows it.
 *
 * @example
 * ```ts
 * const moderators: RoomOccupant[] = room.occupants.filter((o) => o.role === 'moderator')
 * ```
 */
export interface RoomOccupant {
  readonly nick: string
  readonly jid: string
  readonly role: MucRole
  readonly affiliation: MucAffiliation
}

interface Said {
  readonly nick: string
  readonly body: string
  readonly at: Date
}

/**
 * A room on the test kit's MUC service (XEP-0045): it answers the bot's joins with the occupants'
 * presences and a self-presence with status 110, replays history and the subject, follows nick
 * changes and departures, and lets the test speak for the occupants.
 *
 * @example
 * ```ts
 * const room = await kit.room('team@conference.example.org', { occupants: ['carol'] })
 * expect(await room.say('carol', 'bot: help')).toContain('Commands:')
 * await room.kick()
 * ```
 */
export class TestRoom {
  /** The room's bare JID. */
  readonly jid: string
  readonly #link: KitLink
  readonly #occupants = new Map<string, RoomOccupant>()
  readonly #history: Said[]
  readonly #anonymous: boolean
  readonly #password: string | undefined
  readonly #botSetup: NonNullable<RoomSetup['bot']>
  #subject: { text: string; nick: string | undefined } | undefined
  #bot: { nick: string; role: MucRole; affiliation: MucAffiliation } | undefined
  /** Whether the room came to be with the bot's join, as a MUC service creates a room nobody is in. */
  #created: boolean

  /** @internal Made by the test kit: for `kit.room()`, or when the bot joins a room nobody set up (`created`). */
  constructor(link: KitLink, jid: string, setup: RoomSetup = {}, created = false) {
    this.#link = link
    this.jid = bareJid(jid)
    const domain = parseJid(link.botJid)?.domain ?? 'example.org'
    for (const entry of setup.occupants ?? []) {
      const occupant = occupantOf(entry, domain)
      this.#occupants.set(occupant.nick, occupant)
    }
    this.#history = (setup.history ?? []).map((h) => ({ nick: h.nick, body: h.body, at: h.at ?? new Date() }))
    this.#anonymous = setup.anonymous ?? false
    this.#password = setup.password
    this.#botSetup = setup.bot ?? {}
    this.#subject = setup.subject === undefined ? undefined : { text: setup.subject, nick: undefined }
    this.#created = created
  }

  /** Everyone in the room but the bot. */
  get occupants(): RoomOccupant[] {
    return [...this.#occupants.values()]
  }

  /** The bot's nick while it is in the room; undefined when it is not. */
  get botNick(): string | undefined {
    return this.#bot?.nick
  }

  /** @internal The nick the kit makes the bot join with, when the room's setup names one. */
  get joinNick(): string | undefined {
    return this.#botSetup.nick
  }

  /** The room's subject. */
  get subject(): string | undefined {
    return this.#subject?.text
  }

  /**
   * Everything the bot said in the room so far.
   *
   * @example
   * ```ts
   * expect(room.messages.at(-1)).toBe('Reminder: stand-up')
   * ```
   */
  get messages(): Replies {
    return repliesOf(this.#link.sent.filter((s) => s.name === 'message' && s.attrs.type === 'groupchat' && bareJid(s.attrs.to ?? '') === this.jid))
  }

  /**
   * Says something in the room as an occupant, and resolves, once the handlers it started are done,
   * with what the bot sent back: to the room, to the occupant privately, or to their real JID.
   *
   * @example
   * ```ts
   * expect(await room.say('carol', 'bot: echo hi')).toEqual(['hi'])
   * ```
   */
  async say(nick: string, body: string): Promise<Replies> {
    const occupant = this.#present(nick)
    this.#history.push({ nick, body, at: new Date() })
    const out = await this.#link.deliver(xml('message', { from: `${this.jid}/${nick}`, type: 'groupchat', id: nextId() }, xml('body', {}, body)))
    const real = bareJid(occupant.jid)
    return repliesOf(
      out.filter((s) => {
        const to = s.attrs.to ?? ''
        return (s.attrs.type === 'groupchat' && bareJid(to) === this.jid) || to === `${this.jid}/${nick}` || bareJid(to) === real
      }),
    )
  }

  /**
   * Sets the subject as an occupant.
   *
   * @example
   * ```ts
   * await room.setSubject('carol', 'Release day')
   * ```
   */
  async setSubject(nick: string, subject: string): Promise<void> {
    this.#present(nick)
    this.#subject = { text: subject, nick }
    await this.#link.deliver(this.#subjectMessage())
  }

  /**
   * Someone enters the room; the bot sees their presence.
   *
   * @example
   * ```ts
   * await room.join({ nick: 'erin', jid: 'erin@example.org/phone', role: 'visitor' })
   * ```
   */
  async join(occupant: string | OccupantSetup): Promise<void> {
    const entry = occupantOf(occupant, parseJid(this.#link.botJid)?.domain ?? 'example.org')
    if (this.#occupants.has(entry.nick) || this.#bot?.nick === entry.nick) throw new Error(`${entry.nick} is already in ${this.jid}`)
    this.#occupants.set(entry.nick, entry)
    await this.#broadcast(this.#presenceOf(entry))
  }

  /**
   * Someone leaves the room.
   *
   * @example
   * ```ts
   * await room.leave('carol', 'lunch')
   * ```
   */
  async leave(nick: string, status?: string): Promise<void> {
    const occupant = this.#present(nick)
    this.#occupants.delete(nick)
    await this.#broadcast(this.#presenceOf({ ...occupant, role: 'none' }, { type: 'unavailable', status }))
  }

  /**
   * An occupant takes another nick: the room announces the old nick leaving with status 303, then the
   * new one (XEP-0045, 7.6). Their real JID stays the same.
   *
   * @example
   * ```ts
   * await room.rename('carol', 'caroline')
   * ```
   */
  async rename(nick: string, newNick: string): Promise<void> {
    const occupant = this.#present(nick)
    if (this.#occupants.has(newNick) || this.#bot?.nick === newNick) throw new Error(`${newNick} is taken in ${this.jid}`)
    this.#occupants.delete(nick)
    const renamed = { ...occupant, nick: newNick }
    this.#occupants.set(newNick, renamed)
    await this.#broadcast(this.#presenceOf(occupant, { type: 'unavailable', codes: ['303'], newNick }), this.#presenceOf(renamed))
  }

  /**
   * A moderator kicks someone out (status 307): the bot when no nick is given, else that occupant.
   * A kicked bot may join again (natter rejoins after 10 s).
   *
   * @example
   * ```ts
   * await room.kick()
   * await vi.advanceTimersByTimeAsync(10_000) // natter rejoins
   * ```
   */
  async kick(nick?: string, reason?: string): Promise<void> {
    if (nick === undefined) {
      const bot = this.#bot
      if (!bot) throw new Error(`the bot is not in ${this.jid}`)
      this.#bot = undefined
      await this.#link.deliver(this.#selfPresence(bot, { type: 'unavailable', codes: ['307'], reason, role: 'none' }))
      return
    }
    const occupant = this.#present(nick)
    this.#occupants.delete(nick)
    await this.#broadcast(this.#presenceOf({ ...occupant, role: 'none' }, { type: 'unavailable', codes: ['307'], reason }))
  }

  /** @internal The room's answer to a presence the bot sent it: a join, a nick change, a status, a departure. */
  presence(presence: XmlElement): XmlElement[] {
    const nick = parseJid(presence.attrs.to ?? '')?.resource
    if (!nick) return []
    const bot = this.#bot
    if (presence.attrs.type === 'unavailable') {
      if (!bot) return []
      this.#bot = undefined
      return [this.#selfPresence(bot, { type: 'unavailable', role: 'none' })]
    }
    if (presence.attrs.type !== undefined) return []
    if (this.#occupants.has(nick)) return [this.#refusal(nick, 'conflict', 'cancel')]
    if (bot && bot.nick !== nick) {
      const renamed = { ...bot, nick }
      this.#bot = renamed
      return [this.#selfPresence(bot, { type: 'unavailable', codes: ['303'], newNick: nick }), this.#selfPresence(renamed)]
    }
    if (bot) return [this.#selfPresence(bot)]
    if (this.#password !== undefined && presence.getChild('x', NS_MUC)?.getChildText('password') !== this.#password) {
      return [this.#refusal(nick, 'not-authorized', 'auth')]
    }
    return this.#enter(nick)
  }

  /** @internal The room's answer to an IQ the bot sent it: configuration (accepted as it is) and kicks by a moderator bot. */
  iq(request: XmlElement): XmlElement[] {
    const botJid = this.#link.botJid
    const query = request.getChildElements()[0]
    if (request.attrs.type === 'set' && query?.is('query', NS_MUC_OWNER)) return [iqResult(request, botJid)]
    const item = request.attrs.type === 'set' && query?.is('query', NS_MUC_ADMIN) ? query.getChild('item') : undefined
    if (item?.attrs.role !== 'none' || item.attrs.nick === undefined) return [iqError(request, botJid, 'feature-not-implemented', 'cancel')]
    if (this.#bot?.role !== 'moderator') return [iqError(request, botJid, 'forbidden', 'auth')]
    const occupant = this.#occupants.get(item.attrs.nick)
    if (!occupant) return [iqError(request, botJid, 'item-not-found', 'cancel')]
    this.#occupants.delete(occupant.nick)
    const reason = item.getChildText('reason') ?? undefined
    return [iqResult(request, botJid), this.#presenceOf({ ...occupant, role: 'none' }, { type: 'unavailable', codes: ['307'], reason })]
  }

  /** @internal What the room does with the bot's groupchat message: keeps it in the history and reflects it to the bot, as to every occupant. */
  message(message: XmlElement): XmlElement[] {
    const bot = this.#bot
    const body = message.getChildText('body')
    if (!bot) return []
    if (body !== null) this.#history.push({ nick: bot.nick, body, at: new Date() })
    const subject = message.getChildText('subject')
    if (subject !== null) this.#subject = { text: subject, nick: bot.nick }
    return [
      xml(
        'message',
        { from: `${this.jid}/${bot.nick}`, to: this.#link.botJid, type: 'groupchat', id: message.attrs.id },
        body !== null && xml('body', {}, body),
        subject !== null && xml('subject', {}, subject),
      ),
    ]
  }

  /** The bot enters: the others' presences, its own with 110, the history, the subject (XEP-0045, 7.2). */
  #enter(nick: string): XmlElement[] {
    const created = this.#created
    this.#created = false
    const bot = {
      nick,
      role: this.#botSetup.role ?? (created ? 'moderator' : 'participant'),
      affiliation: this.#botSetup.affiliation ?? (created ? 'owner' : 'none'),
    } as const
    this.#bot = bot
    const codes = [...(this.#anonymous ? [] : ['100']), ...(created ? ['201'] : [])]
    const history = this.#history.map((said) =>
      xml(
        'message',
        { from: `${this.jid}/${said.nick}`, to: this.#link.botJid, type: 'groupchat', id: nextId() },
        xml('body', {}, said.body),
        xml('delay', { xmlns: NS_DELAY, stamp: said.at.toISOString(), from: this.jid }),
      ),
    )
    return [
      ...this.occupants.map((o) => this.#presenceOf(o)),
      this.#selfPresence(bot, { codes }),
      ...history,
      ...(this.#subject ? [this.#subjectMessage()] : []),
    ]
  }

  #present(nick: string): RoomOccupant {
    if (!this.#bot) throw new Error(`the bot is not in ${this.jid}: the room would not pass anything on to it`)
    const occupant = this.#occupants.get(nick)
    if (!occupant) throw new Error(`${nick} is not in ${this.jid}; add them with room.join()`)
    return occupant
  }

  /** Hands stanzas to the bot when it is in the room; a room tells nothing to those outside. */
  async #broadcast(...stanzas: XmlElement[]): Promise<void> {
    if (this.#bot) await this.#link.deliver(...stanzas)
  }

  #presenceOf(occupant: RoomOccupant, options: PresenceOptions = {}): XmlElement {
    // Real JIDs go to everyone in a non-anonymous room, and to moderators in a semi-anonymous one.
    const disclosed = !this.#anonymous || this.#bot?.role === 'moderator'
    return this.#mucPresence(occupant.nick, { ...occupant, jid: disclosed ? occupant.jid : undefined }, options)
  }

  #selfPresence(bot: { nick: string; role: MucRole; affiliation: MucAffiliation }, options: PresenceOptions & { role?: MucRole } = {}): XmlElement {
    const item = { role: options.role ?? bot.role, affiliation: bot.affiliation, jid: this.#link.botJid }
    return this.#mucPresence(bot.nick, item, { ...options, codes: ['110', ...(options.codes ?? [])] })
  }

  #mucPresence(nick: string, item: { role: MucRole; affiliation: MucAffiliation; jid: string | undefined }, options: PresenceOptions): XmlElement {
    const { type, codes = [], newNick, reason, status } = options
    return xml(
      'presence',
      { from: `${this.jid}/${nick}`, to: this.#link.botJid, type },
      status !== undefined && xml('status', {}, status),
      xml(
        'x',
        { xmlns: NS_MUC_USER },
        xml('item', { affiliation: item.affiliation, role: item.role, jid: item.jid, nick: newNick }, reason !== undefined && xml('reason', {}, reason)),
        codes.map((code) => xml('status', { code })),
      ),
    )
  }

  #refusal(nick: string, condition: string, type: 'auth' | 'cancel'): XmlElement {
    return xml(
      'presence',
      { from: `${this.jid}/${nick}`, to: this.#link.botJid, type: 'error' },
      xml('x', { xmlns: NS_MUC }),
      new StanzaError(condition, type).toElement(),
    )
  }

  #subjectMessage(): XmlElement {
    const from = this.#subject?.nick === undefined ? this.jid : `${this.jid}/${this.#subject.nick}`
    return xml('message', { from, to: this.#link.botJid, type: 'groupchat', id: nextId() }, xml('subject', {}, this.#subject?.text ?? ''))
  }
}

interface PresenceOptions {
  type?: 'unavailable'
  codes?: readonly string[]
  newNick?: string
  reason?: string | undefined
  status?: string | undefined
}

function occupantOf(entry: string | OccupantSetup, domain: string): RoomOccupant {
  const setup = typeof entry === 'string' ? { nick: entry } : entry
  return {
    nick: setup.nick,
    jid: setup.jid ?? `${setup.nick.toLowerCase()}@${domain}/test`,
    role: setup.role ?? 'participant',
    affiliation: setup.affiliation ?? 'none',
  }
}
