import type { BotCore } from '../../bot/bot-core.js'
import type { MessageContext } from '../../dispatch/context/message.js'
import type { PresenceContext } from '../../dispatch/context/presence.js'
import type { StanzaContext } from '../../dispatch/context/stanza-context.js'
import type { Next } from '../../dispatch/router.js'
import { StanzaError } from '../../errors.js'
import { parseJid } from '../../jid.js'
import { NS_DATA, NS_MUC, NS_MUC_OWNER, NS_MUC_USER } from '../../ns.js'
import { xml } from '../../xml.js'
import type { DiscoveryFeature } from '../discovery/discovery.js'
import type { InvitePolicy } from '../invitations/settings.js'
import { ROOMS_SETTINGS, type RoomSetting, readRoomSettings, readTrustedServices } from './settings.js'
import { RoomTrust } from './trust.js'

/** How often, and after how long (times the attempt), a join that found the room locked is tried again. */
const LOCKED_RETRIES = 3
const LOCKED_RETRY_MS = 500

/**
 * A room to join: its bare JID, the bot's nick in it, and the room password if it has one.
 *
 * @example
 * ```ts
 * await bot.rooms.join('team@conference.example.org', { nick: 'deploybot', password: process.env.ROOM_SECRET })
 * ```
 */
export interface RoomOptions {
  nick?: string
  password?: string
  /** How long to wait for the room to let the bot in, in ms. Default 15000. */
  timeout?: number
}

/**
 * Someone in a room, as the room's presence tells. `jid` is the occupant's real JID, which only
 * non-anonymous rooms (or moderators) see, and which natter believes only from a trusted room
 * service (see `RoomsOptions.trustedRoomServices`).
 *
 * @example
 * ```ts
 * const moderators = bot.rooms.occupants('team@conference.example.org').filter((o) => o.role === 'moderator')
 * ```
 */
export interface Occupant {
  readonly nick: string
  readonly jid: string | undefined
  readonly role: string
  readonly affiliation: string
  readonly show: string | undefined
  readonly status: string | undefined
}

interface Room {
  readonly jid: string
  nick: string
  password: string | undefined
  subject: string | undefined
  joined: boolean
  readonly occupants: Map<string, Occupant>
}

interface Joining {
  readonly room: string
  readonly resolve: () => void
  readonly reject: (error: Error) => void
}

/**
 * The bot's group chats (XEP-0045): joins and leaves, the occupants and subject of each room, and
 * rejoining after a reconnect that lost the session.
 *
 * @example
 * ```ts
 * await bot.rooms.join('lobby@conference.example.org', { nick: 'helper' })
 * bot.message({ type: 'groupchat', mentioned: true }, (msg) => msg.reply(`${msg.nick}: you called?`))
 * ```
 */
export class Rooms {
  readonly #rooms = new Map<string, Room>()
  readonly #joining = new Map<string, Joining>()
  readonly #entering = new Map<string, Promise<void>>()
  readonly #defaultNick: () => string
  readonly #receive: RoomsOptions['receive']
  /** The rooms the settings name, joined after the first login. */
  #configured: readonly RoomSetting[] = []
  readonly #trust: RoomTrust
  /** Rooms already logged as on a service not trusted about real JIDs. */
  readonly #distrusted = new Set<string>()
  #discovered = false

  /** @internal Created by the {@link rooms} feature. */
  constructor(
    private readonly bot: BotCore,
    options: RoomsOptions = {},
  ) {
    this.#defaultNick = () => parseJid(bot.jid)?.local ?? 'bot'
    this.#receive = options.receive
    this.#trust = new RoomTrust(() => bot.jid)
    bot.onStart((env) => {
      const listed = Array.isArray(options.rooms) ? options.rooms : (options.rooms as { join?: readonly string[] } | undefined)?.join
      this.#configured = readRoomSettings(listed, env, this.#defaultNick())
      this.#trust.add(...this.#configured.map((room) => room.jid), ...readTrustedServices(options.trustedRoomServices, env))
    })
    bot.onShutdown(() => this.leaveAll())
    bot.use((ctx, next) => this.#inbound(ctx, next))
    let first = true
    bot.on('ready', ({ resumed }) => {
      if (resumed) return
      if (!this.#discovered) {
        this.#trust.discover(bot).then(
          () => (this.#discovered = true),
          (e: unknown) => bot.log.debug({ err: e }, 'cannot list the services of the server'),
        )
      }
      for (const room of this.#rooms.values()) {
        room.joined = false
        room.occupants.clear()
        this.#enter(room, 15_000).catch((e: unknown) => bot.log.warn({ room: room.jid, err: e }, 'cannot rejoin room'))
      }
      if (!first) return
      first = false
      for (const room of this.#configured) {
        this.join(room.jid, { nick: room.nick }).catch((e: unknown) => bot.log.error({ room: room.jid, err: e }, 'cannot join room'))
      }
    })
  }

  /**
   * Joins a room and resolves once the room has let the bot in. A room that did not exist is
   * created and configured as an instant room, so it is not left locked. The room is rejoined after
   * every reconnect that lost the session.
   */
  async join(room: string, options: RoomOptions = {}): Promise<void> {
    const jid = parseJid(room)
    if (!jid?.local || jid.resource) throw new TypeError(`"${room}" is not a room JID (room@service)`)
    const existing = this.#rooms.get(jid.bare)
    const entry: Room = existing ?? { jid: jid.bare, nick: '', password: undefined, subject: undefined, joined: false, occupants: new Map() }
    entry.nick = options.nick ?? (entry.nick || this.#defaultNick())
    entry.password = options.password ?? entry.password
    this.#rooms.set(jid.bare, entry)
    await this.#enter(entry, options.timeout ?? 15_000)
  }

  /** Leaves a room and forgets it. */
  async leave(room: string, status?: string): Promise<void> {
    const entry = this.#rooms.get(parseJid(room)?.bare ?? room)
    if (!entry) return
    this.#rooms.delete(entry.jid)
    if (entry.joined) {
      await this.bot.send(xml('presence', { to: `${entry.jid}/${entry.nick}`, type: 'unavailable' }, status !== undefined && xml('status', {}, status)))
    }
  }

  /** Leaves every room, e.g. before shutting down. */
  async leaveAll(status?: string): Promise<void> {
    await Promise.allSettled([...this.#rooms.keys()].map((room) => this.leave(room, status)))
  }

  /** The bare JIDs of the rooms the bot is in. */
  list(): string[] {
    return [...this.#rooms.values()].filter((r) => r.joined).map((r) => r.jid)
  }

  /** The bot's nick in a room it joined. */
  nick(room: string): string | undefined {
    return this.#rooms.get(room)?.nick
  }

  /**
   * Whether the room's service is believed about who its occupants are (see
   * `RoomsOptions.trustedRoomServices`).
   *
   * @example
   * ```ts
   * if (bot.rooms.trusts('team@conference.example.org')) bot.log.info('real JIDs count there')
   * ```
   */
  trusts(room: string): boolean {
    return this.#trust.trusts(room)
  }

  /** The room's subject, once the room has told it. */
  subject(room: string): string | undefined {
    return this.#rooms.get(room)?.subject
  }

  /** Everyone in the room, the bot included. */
  occupants(room: string): Occupant[] {
    const trusted = this.#trust.trusts(room)
    return [...(this.#rooms.get(room)?.occupants.values() ?? [])].map((o) => (trusted ? o : { ...o, jid: undefined }))
  }

  /** Sends a message to the room. */
  say(room: string, text: string): Promise<void> {
    return this.bot.say(room, text, 'groupchat')
  }

  async #enter(room: Room, timeout: number): Promise<void> {
    // A second join while the first is under way waits for the same answer from the room.
    const underway = this.#entering.get(room.jid)
    if (underway) return underway
    const entering = this.#knockWhileLocked(room, timeout).finally(() => this.#entering.delete(room.jid))
    this.#entering.set(room.jid, entering)
    return entering
  }

  /**
   * A room is locked until its creator has configured it (XEP-0045, 10.1.1), and answers joins with
   * item-not-found meanwhile: when several processes of one bot join a new room at once, all but the
   * creator meet it locked for a moment, so they knock again a few times.
   */
  async #knockWhileLocked(room: Room, timeout: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#knock(room, timeout)
      } catch (error) {
        if (!(error instanceof StanzaError && error.condition === 'item-not-found') || attempt > LOCKED_RETRIES) throw error
        this.bot.log.info({ room: room.jid, attempt }, 'room not found or still locked by its creator; knocking again')
        await new Promise((resolve) => setTimeout(resolve, LOCKED_RETRY_MS * attempt).unref())
      }
    }
  }

  async #knock(room: Room, timeout: number): Promise<void> {
    const pending = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#joining.delete(room.jid)
        reject(new StanzaError('remote-server-timeout', 'wait', `${room.jid} did not let the bot in within ${timeout} ms`))
      }, timeout)
      this.#joining.set(room.jid, {
        room: room.jid,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      })
    })
    await this.bot.send(
      xml('presence', { to: `${room.jid}/${room.nick}` }, xml('x', { xmlns: NS_MUC }, room.password !== undefined && xml('password', {}, room.password))),
    )
    await pending
    this.bot.log.info({ room: room.jid, nick: room.nick }, 'joined room')
  }

  /** Tracks who is in the rooms, and the bot's own entries and exits. */
  #onPresence(ctx: PresenceContext): void {
    const from = parseJid(ctx.from)
    const room = from && this.#rooms.get(from.bare)
    if (!from || !room) return
    const x = ctx.stanza.getChild('x', NS_MUC_USER)
    const codes = new Set(x?.getChildren('status').map((s) => s.attrs.code) ?? [])
    const joining = this.#joining.get(room.jid)

    if (ctx.type === 'error') {
      if (joining && from.resource === room.nick) {
        this.#joining.delete(room.jid)
        joining.reject(StanzaError.fromStanza(ctx.stanza))
      }
      return
    }
    const self = codes.has('110') || from.resource === room.nick
    if (ctx.type === 'unavailable') {
      room.occupants.delete(from.resource)
      // 303 is a nick change, not a departure: the presence under the new nick follows.
      if (self && room.joined && !codes.has('303')) this.#left(room, codes)
      return
    }
    // The room may have given the bot another nick than it asked for (210); 110 says which is its own.
    if (codes.has('110')) room.nick = from.resource
    const item = x?.getChild('item')
    // Kept as the room claims it: whether to believe it is decided when it is read, as the trusted services may grow.
    const claimed = item?.attrs.jid === undefined ? undefined : parseJid(item.attrs.jid)?.full
    if (claimed !== undefined) this.#noteDistrust(room.jid)
    room.occupants.set(from.resource, {
      nick: from.resource,
      jid: claimed,
      role: item?.attrs.role ?? 'none',
      affiliation: item?.attrs.affiliation ?? 'none',
      show: ctx.show,
      status: ctx.status,
    })
    if (self && joining) {
      room.joined = true
      this.#joining.delete(room.jid)
      if (codes.has('201')) {
        this.#configureInstant(room.jid).then(joining.resolve, joining.reject)
      } else joining.resolve()
    }
  }

  /** Logs, once per room, that its service is not believed about real JIDs. */
  #noteDistrust(room: string): void {
    if (this.#trust.trusts(room) || this.#distrusted.has(room)) return
    this.#distrusted.add(room)
    this.bot.log.info({ room }, 'room service not trusted: the real JIDs it discloses are ignored (see trustedRoomServices)')
  }

  #left(room: Room, codes: Set<string | undefined>): void {
    room.joined = false
    room.occupants.clear()
    if (codes.has('307') || codes.has('333')) {
      this.bot.log.warn({ room: room.jid, codes: [...codes] }, 'removed from room; rejoining in 10 s')
      setTimeout(() => {
        if (this.#rooms.get(room.jid) === room)
          this.#enter(room, 15_000).catch((e: unknown) => this.bot.log.warn({ room: room.jid, err: e }, 'cannot rejoin room'))
      }, 10_000).unref()
    } else {
      this.#rooms.delete(room.jid)
      this.bot.log.warn({ room: room.jid, codes: [...codes] }, 'the room closed its door to the bot')
    }
  }

  /** Room middleware: tracks occupants and subjects, fills in a room message's room fields, and keeps the bot's own messages and replayed history from handlers. */
  #inbound(ctx: StanzaContext, next: Next): unknown {
    if (ctx.kind === 'presence') this.#onPresence(ctx as PresenceContext)
    else if (ctx.kind === 'message' && !this.#onMessage(ctx as MessageContext)) return undefined
    return next()
  }

  /** Whether handlers should see the message. */
  #onMessage(msg: MessageContext): boolean {
    const from = parseJid(msg.from)
    const room = from && this.#rooms.get(from.bare)
    if (msg.type === 'groupchat') {
      // Rooms send the subject delayed on join, or from the bot's own nick, so it is learnt before any filtering.
      // A subject with a body is a message, not a subject change (XEP-0045, 8.1).
      if (room && msg.subject !== undefined && msg.body === undefined) room.subject = msg.subject
      // Room history replayed on join is old news; 1:1 messages delayed by offline storage are not.
      if (msg.delayed && !this.#receive?.roomHistory) return false
    }
    if (!room || !from.resource) return true
    if (from.resource === room.nick && !this.#receive?.ownMessages) return false
    // Captured now, as the message arrives: the nick may belong to someone else by the time a handler runs.
    msg.realJid = this.#trust.trusts(room.jid) ? room.occupants.get(from.resource)?.jid : undefined
    msg.ownNick = room.nick
    msg.mentioned = msg.type === 'groupchat' && from.resource !== room.nick && msg.body !== undefined && mentions(msg.body, room.nick)
    return true
  }

  /** Accepts the default configuration of a room the bot just created (XEP-0045, 10.1.2). */
  async #configureInstant(room: string): Promise<void> {
    await this.bot.request({
      to: room,
      type: 'set',
      payload: xml('query', { xmlns: NS_MUC_OWNER }, xml('x', { xmlns: NS_DATA, type: 'submit' })),
    })
    this.bot.log.info({ room }, 'created room as an instant room')
  }
}

/** Whether `text` names `nick` as a word of its own, in any case. */
function mentions(text: string, nick: string): boolean {
  if (nick === '') return false
  const lower = text.toLowerCase()
  const wanted = nick.toLowerCase()
  const boundary = (c: string | undefined): boolean => c === undefined || !/[\p{L}\p{N}_]/u.test(c)
  // Every occurrence counts: `natterbot, ask natter` names natter in its second one.
  for (let at = lower.indexOf(wanted); at !== -1; at = lower.indexOf(wanted, at + 1)) {
    if (boundary(lower[at - 1]) && boundary(lower[at + wanted.length])) return true
  }
  return false
}

/**
 * The rooms to join at start, and which room messages handlers see.
 *
 * @example
 * ```ts
 * const bot = createBot({ rooms: ['team@conference.example.org/deploybot'], receive: { roomHistory: false } })
 * ```
 */
export interface RoomsOptions {
  /**
   * Rooms to join once online (`XMPP_ROOMS`): `room@service` or `room@service/nick`; or, as an object,
   * those rooms as `join` and whose invitations the bot accepts by itself as `acceptInvites`
   * (`XMPP_ACCEPT_INVITES`, default off).
   */
  rooms?: readonly string[] | { join?: readonly string[]; acceptInvites?: InvitePolicy }
  /**
   * Room messages that handlers do not see unless asked for: the bot's own (as rooms reflect them)
   * and history replayed on join.
   */
  receive?: { ownMessages?: boolean; roomHistory?: boolean }
  /**
   * Room services (domains) believed about occupants' real JIDs (`XMPP_TRUSTED_ROOM_SERVICES`), on
   * top of the bot's own server and its subdomains, the services the server lists, and the services
   * of `rooms`. In a room elsewhere `realJid` is undefined, as a room on a service anyone can run may
   * claim any real JID.
   */
  trustedRoomServices?: readonly string[]
}

/**
 * What group chats add to a bot.
 *
 * @example
 * ```ts
 * bot.on('ready', () => bot.rooms.say('team@conference.example.org', 'Back online'))
 * ```
 */
export interface RoomsFeature {
  /** The bot's group chats (XEP-0045): join, leave, occupants, subjects. */
  readonly rooms: Rooms
}

/**
 * Group chats (XEP-0045): joins the configured rooms, rejoins after a lost session or a kick, leaves
 * on shutdown, and gives room messages their `realJid`, `mentioned` and `ownNick` as they arrive.
 * Installed early, so that its middleware runs before any of the bot's own. `createBot()` installs it.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(rooms({ rooms: ['team@conference.example.org/helper'] }))
 * ```
 */
export function rooms(options: RoomsOptions = {}): (bot: BotCore & Partial<DiscoveryFeature>) => RoomsFeature {
  return (bot) => {
    bot.features?.add(NS_MUC)
    bot.settingsTable.add(...Object.values(ROOMS_SETTINGS))
    return { rooms: new Rooms(bot, options) }
  }
}
