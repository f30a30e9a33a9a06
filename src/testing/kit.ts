import type { BotCore } from '../bot/bot-core.js'
import { bareJid, parseJid } from '../jid.js'
import { NS_MUC, NS_PING, NS_PUBSUB, NS_PUBSUB_OWNER, NS_ROSTER, NS_VCARD } from '../ns.js'
import { replaceUploadPut } from '../plugins/file-upload/file-upload.js'
import type { RoomsFeature } from '../plugins/rooms/rooms.js'
import type { WebFeature } from '../plugins/web/web.js'
import type { XmlElement } from '../xml.js'
import { TestChat } from './chat.js'
import { TestContact } from './contact.js'
import { Exchange } from './exchange.js'
import { iqError, iqResult } from './iq-replies.js'
import type { KitLink } from './kit-link.js'
import { TestPubSub } from './pubsub.js'
import { type RoomSetup, TestRoom } from './room.js'
import { type RosterEntry, TestRoster } from './roster.js'
import { TestUploads } from './uploads.js'
import { TestVcards } from './vcards.js'

const SUBSCRIPTIONS: ReadonlySet<string | undefined> = new Set(['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed'])

/**
 * How the test kit's server starts out.
 *
 * @example
 * ```ts
 * const kit = await testKit(bot, { roster: [{ jid: 'alice@example.org' }], rooms: { 'team@conference.example.org': { occupants: ['carol'] } } })
 * ```
 */
export interface TestKitOptions {
  /** The bot's full JID. Default `bot@example.org/natter`. */
  jid?: string
  /** The bot's roster as the server keeps it; the bot fetches it when it comes online. */
  roster?: readonly RosterEntry[]
  /** Rooms the MUC service hosts before the bot comes online, by room JID: for the rooms a bot joins from its settings. */
  rooms?: Readonly<Record<string, RoomSetup>>
  /** The server's HTTP upload service for `bot.sendFile()`: its limit in bytes (default 10 MiB), or `false` for none. */
  upload?: { maxSize?: number } | false
}

/**
 * A bot wired to an in-memory XMPP server that plays its part: it brings the bot online (the bot's
 * presence, `ready`, its rooms joined from `rooms` or `XMPP_ROOMS`), answers the bot's roster
 * requests, joins, pings and room configuration as a server and a MUC service would, follows
 * subscriptions on the roster, and lets the test speak as contacts and room occupants. Everything of
 * {@link TestChat} works on it too. It waits on promises only, never on timers, so it runs under
 * `vi.useFakeTimers()`.
 *
 * @example
 * ```ts
 * const kit = await testKit(bot)
 * const alice = kit.contact('alice@example.org')
 * expect(await alice.say('hi')).toEqual(['You said: hi'])
 * ```
 */
export class TestKit extends TestChat {
  /** The bot's roster as the server keeps it. */
  readonly roster: TestRoster
  /** PubSub as the server and its services keep it: the bot's own PEP and any service it asks. */
  readonly pubsub: TestPubSub
  /** The vCards the server keeps. */
  readonly vcards = new TestVcards()
  /** The server's upload service and what the bot uploaded; undefined with `upload: false`. */
  readonly uploads: TestUploads | undefined
  #bot: BotCore & Partial<RoomsFeature> & Partial<WebFeature>
  readonly #build: (() => BotCore) | undefined
  readonly #contacts = new Map<string, TestContact>()
  readonly #rooms = new Map<string, TestRoom>()
  readonly #answers = new Set<Promise<unknown>>()
  readonly #link: KitLink

  constructor(bot: BotCore | (() => BotCore), options: TestKitOptions = {}) {
    const first = typeof bot === 'function' ? bot() : bot
    super(first, { jid: options.jid })
    this.#bot = first
    this.#build = typeof bot === 'function' ? bot : undefined
    this.#link = {
      botJid: this.jid,
      sent: this.sent,
      deliver: async (...stanzas) => {
        await this.settle()
        return this.#deliverNow(stanzas)
      },
      answer: (...stanzas) => this.#answer(stanzas),
    }
    this.roster = new TestRoster(this.#link, options.roster)
    this.pubsub = new TestPubSub(this.jid, (stanza) => this.#link.deliver(stanza))
    this.uploads = options.upload === false ? undefined : new TestUploads(this.jid, options.upload?.maxSize)
    if (this.uploads) replaceUploadPut(first, this.uploads.put)
    for (const [jid, setup] of Object.entries(options.rooms ?? {})) this.#rooms.set(bareJid(jid), new TestRoom(this.#link, jid, setup))
    this.serve((stanza) => this.#route(stanza))
    this.comeOnline()
  }

  /** Waits for the server's pending answers first, so the bot is online and its joins are through. */
  override async receive(stanza: XmlElement): Promise<XmlElement[]> {
    await this.settle()
    return super.receive(stanza)
  }

  /**
   * Someone who talks to the bot. A bare JID gets the resource `test`.
   *
   * @example
   * ```ts
   * const alice = kit.contact('alice@example.org')
   * const bob = kit.contact('bob@example.org/laptop')
   * ```
   */
  contact(jid: string): TestContact {
    const parsed = parseJid(jid)
    if (!parsed?.local) throw new TypeError(`"${jid}" is not a user's JID (user@domain)`)
    const full = parsed.resource ? parsed.full : `${parsed.bare}/test`
    let contact = this.#contacts.get(full)
    if (!contact) this.#contacts.set(full, (contact = new TestContact(this.#link, this.roster, full)))
    return contact
  }

  /**
   * A room on the MUC service, with the bot in it: set up with `setup` when it is new, and joined by
   * the bot (`bot.rooms.join()`, with `setup.bot.nick` when given) unless it is in already. For a
   * room the bot is in already, the occupants named in `setup` who are not there come in.
   *
   * @example
   * ```ts
   * const room = await kit.room('team@conference.example.org', { occupants: [{ nick: 'carol', jid: 'carol@example.org/laptop' }] })
   * ```
   */
  async room(jid: string, setup: RoomSetup = {}): Promise<TestRoom> {
    await this.settle()
    const bare = bareJid(jid)
    let room = this.#rooms.get(bare)
    if (!room) {
      room = new TestRoom(this.#link, bare, setup)
      this.#rooms.set(bare, room)
    } else {
      const { occupants, ...rest } = setup
      if (Object.keys(rest).length > 0) throw new TypeError(`${bare} exists already: only occupants can be added to it; set it up in testKit({ rooms })`)
      const present = new Set(room.occupants.map((o) => o.nick))
      for (const occupant of occupants ?? []) if (!present.has(typeof occupant === 'string' ? occupant : occupant.nick)) await room.join(occupant)
    }
    if (room.botNick === undefined) {
      const rooms = this.#bot.rooms
      if (!rooms) throw new TypeError('the bot has no rooms feature: install rooms() or use createBot()')
      await rooms.join(bare, room.joinNick === undefined ? {} : { nick: room.joinNick })
      await this.settle()
    }
    return room
  }

  /**
   * Sends an HTTP request to the bot's routes, in memory (no port is bound), and resolves with the
   * response and the stanzas the bot sent while answering it. `path` may carry a query.
   *
   * @example
   * ```ts
   * const body = JSON.stringify({ to: 'alice@example.org', text: 'deployed' })
   * const { response, sent } = await kit.fetch('/notify', { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody('s3cret', body) } })
   * ```
   */
  async fetch(path: string, init: RequestInit = {}): Promise<{ response: Response; sent: XmlElement[] }> {
    await this.settle()
    const http = this.#bot.http
    if (!http) throw new TypeError('the bot has no web side: install web() or use createBot()')
    const exchange = new Exchange()
    const answering = exchange.run(() => http.fetch(new Request(new URL(path, 'http://bot.test'), init)))
    const response = await answering
    return { response, sent: await exchange.close(answering) }
  }

  /**
   * Stops the bot as SIGTERM would and starts another on the same server and store, as a restart or a
   * deploy does: the new bot comes from the function the kit was made with, or is `next`. Contacts,
   * rooms and the roster stay; what the old bot kept in memory (and `bot.schedule()` jobs) is gone.
   *
   * @example
   * ```ts
   * const kit = await testKit(() => buildTodo())
   * await alice.say('todo add milk')
   * await kit.restart()
   * expect(await alice.say('todo list')).toEqual(['1. milk'])
   * ```
   */
  async restart(next?: BotCore): Promise<void> {
    const bot = next ?? this.#build?.()
    if (!bot) throw new TypeError('kit.restart() needs the new bot, or a kit made with testKit(() => buildBot())')
    await this.settle()
    await this.#bot.stop()
    this.#bot = bot
    this.rewire(bot)
    if (this.uploads) replaceUploadPut(bot, this.uploads.put)
    this.comeOnline()
    await this.settle()
  }

  /**
   * Resolves once the server's answers to what the bot sent (roster, joins, pushes) have been
   * handled. The kit's own methods wait for it before they act; call it after driving the bot
   * directly, e.g. after `bot.rooms.join()` or advancing fake timers.
   *
   * @example
   * ```ts
   * await vi.advanceTimersByTimeAsync(10_000)
   * await kit.settle()
   * ```
   */
  async settle(): Promise<void> {
    while (this.#answers.size > 0) await Promise.allSettled([...this.#answers])
  }

  /** Hands stanzas to the bot in order: each starts its handlers before the next comes in. */
  async #deliverNow(stanzas: readonly XmlElement[]): Promise<XmlElement[]> {
    const outs = stanzas.map((stanza) => super.receive(stanza))
    return (await Promise.all(outs)).flat()
  }

  /** Answers once the bot's current turn is over, as a server's reply comes after the request is out. */
  #answer(stanzas: readonly XmlElement[]): void {
    if (stanzas.length === 0) return
    const delivery = Promise.resolve().then(() => this.#deliverNow(stanzas))
    this.#answers.add(delivery)
    delivery.finally(() => this.#answers.delete(delivery)).catch(() => {})
    Exchange.current()?.follow(delivery)
  }

  /** The server: what it does with each stanza the bot sends. */
  #route(stanza: XmlElement): void {
    const to = stanza.attrs.to
    const target = to === undefined ? undefined : parseJid(to)
    const room = target && this.#rooms.get(target.bare)
    if (stanza.name === 'iq') {
      if (stanza.attrs.type === 'get' || stanza.attrs.type === 'set')
        this.#answer(this.#answerIq(stanza, target?.bare === room?.jid && !target?.resource ? room : undefined))
    } else if (stanza.name === 'presence') {
      if (target && !room && target.resource && stanza.getChild('x', NS_MUC)) {
        // A join of a room nobody set up creates it, as a MUC service does.
        const created = new TestRoom(this.#link, target.bare, {}, true)
        this.#rooms.set(target.bare, created)
        this.#answer(created.presence(stanza))
      } else if (room) this.#answer(room.presence(stanza))
      else if (target && SUBSCRIPTIONS.has(stanza.attrs.type)) {
        const push = this.roster.follow('bot', stanza.attrs.type as 'subscribe', target.bare)
        if (push) this.#answer([push])
      }
    } else if (stanza.name === 'message' && room && stanza.attrs.type === 'groupchat') {
      this.#answer(room.message(stanza))
    }
  }

  #answerIq(request: XmlElement, room: TestRoom | undefined): XmlElement[] {
    if (room) return room.iq(request)
    const to = request.attrs.to
    const own = parseJid(this.jid)
    const query = request.getChildElements()[0]
    const toAccount = to === undefined || bareJid(to) === own?.bare || to === own?.domain
    if (toAccount && query?.is('query', NS_ROSTER) && (to === undefined || bareJid(to) === own?.bare)) return this.roster.answer(request)
    if (query?.is('ping', NS_PING) && request.attrs.type === 'get') return [iqResult(request, this.jid)]
    if (query?.is('pubsub', NS_PUBSUB) || query?.is('pubsub', NS_PUBSUB_OWNER)) return this.pubsub.answer(request)
    if (query?.is('vCard', NS_VCARD) && (toAccount || request.attrs.type === 'get')) return this.vcards.answer(request, this.jid)
    const upload = this.uploads?.answer(request, this.jid)
    if (upload) return upload
    // Nobody else here answers IQs: the server replies for them, as for an account with no such client.
    return [iqError(request, this.jid, 'service-unavailable', 'cancel')]
  }
}

/**
 * Wires a bot to a {@link TestKit} and resolves once it is online: its roster fetched and the rooms
 * from its settings joined. Given a function that builds the bot, the kit can `restart()` it.
 *
 * @example
 * ```ts
 * const bot = buildBot()
 * const kit = await testKit(bot, { roster: [{ jid: 'alice@example.org', name: 'Alice' }] })
 * ```
 */
export async function testKit(bot: BotCore | (() => BotCore), options: TestKitOptions = {}): Promise<TestKit> {
  const kit = new TestKit(bot, options)
  await kit.settle()
  return kit
}
