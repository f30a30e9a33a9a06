import type { BotCore } from '../../bot/bot-core.js'
import { Listeners } from '../../bot/listeners.js'
import type { MessageContext } from '../../dispatch/context/message.js'
import type { PresenceContext } from '../../dispatch/context/presence.js'
import type { StanzaContext } from '../../dispatch/context/stanza-context.js'
import type { Next } from '../../dispatch/router.js'
import { ConfigError } from '../../errors.js'
import { bareJid, isDomainJid, parseJid } from '../../jid.js'
import { NS_CARBONS, NS_DELAY, NS_PING } from '../../ns.js'
import { DEFAULT_SHUTDOWN_TIMEOUT } from '../../settings/core-settings.js'
import { type XmlElement, xml } from '../../xml.js'
import type { RoomsFeature } from '../rooms/rooms.js'
import { Answers } from './answers.js'
import { Backlog } from './backlog.js'
import { Handovers } from './handovers.js'
import { ANNOUNCE_WAIT_MS, JOINER_WAIT_MS, JoinPhase } from './join-phase.js'
import type { WindowState } from './join-window.js'
import { type MemberState, Members } from './members.js'
import { FORMATION_SETTINGS, type FormationOptions, type FormationSettings, readFormationSettings } from './settings.js'
import { IN_FLIGHT_MS, QUEUED_MS, Siblings } from './siblings.js'
import { SiblingWatch } from './watch.js'

/** The presence payload by which the processes of one bot know each other. */
export const NS_FORMATION = 'urn:natter:formation:0'

/** What a formation change tells: the members now taking work, and this process's own JID. */
export interface FormationChange {
  readonly members: readonly string[]
  readonly self: string
}

/**
 * The processes of one bot, as this one sees them: who takes work, and who owns a conversation.
 *
 * @example
 * ```ts
 * bot.formation.on('change', ({ members, self }) => bot.log.info({ members }, `formation of ${members.length}, this one ${self}`))
 * ```
 */
export class Formation {
  readonly #members: Members
  readonly #listeners: Listeners<{ change: FormationChange }>
  readonly #bot: BotCore & RoomsFeature
  #enabled!: boolean
  #takeoverAfter!: number
  #backlog!: Backlog
  readonly #answers = new Answers(() => this.#takeoverAfter + 2 * IN_FLIGHT_MS + QUEUED_MS)
  readonly #siblings: Siblings
  readonly #watch: SiblingWatch
  readonly #handovers = new Handovers((stanzas) => {
    for (const stanza of stanzas) this.#handle(stanza)
  })
  #carbons = false
  #stopping = false
  #announced: (() => void) | undefined
  /** Set while a stopping process waits for a joining sibling to take work. */
  #siblingActive: (() => void) | undefined
  /** Since when this process has had no session (`performance.now()`); undefined while it has one. */
  #offlineSince: number | undefined = 0
  /** It was taking work, with siblings, when its session dropped: a new session says since when it dropped it. */
  #tookWork = false
  /** A fresh session of a process that took no work with siblings: its join starts when its presence comes back. */
  #joinAtEcho = false
  /** The members last logged. */
  #logged = ''
  /** Stanzas this process has found to be its own after holding them, on their way through the middleware again. */
  readonly #decided = new WeakSet<XmlElement>()
  #joining: JoinPhase | undefined

  /** @internal Created by the {@link formation} feature. */
  constructor(bot: BotCore & RoomsFeature, options: FormationOptions) {
    this.#bot = bot
    this.#members = new Members(() => bot.jid)
    this.#listeners = new Listeners(() => bot.log)
    this.#configure(readFormationSettings(options, {}))
    const formation = this
    this.#siblings = new Siblings(this.#members, this.#answers, {
      get self() {
        return bot.jid
      },
      get log() {
        return bot.log
      },
      get joining() {
        return formation.#joining
      },
      get backlog() {
        return formation.#backlog
      },
      handovers: this.#handovers,
      get leavingFor() {
        return (bot.settings?.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT) * 1000 + ANNOUNCE_WAIT_MS
      },
      changed: () => this.#changed(),
      handle: (stanza) => this.#handle(stanza),
      ping: (jid) => this.#watch.ping(jid),
    })
    this.#watch = new SiblingWatch(this.#members, () => this.#takeoverAfter, {
      ping: (to, timeout) => bot.request({ to, type: 'get', payload: xml('ping', { xmlns: NS_PING }), timeout }),
      answered: (jid, sent, now) => this.#siblings.answered(jid, sent, now),
      silent: (member, now) => this.#siblings.silent(member, now),
      stalled: (since, now) => this.#rejoin(since, now, 'stalled'),
      tick: (now) => {
        this.#backlog.prune(now)
        this.#answers.prune(now)
      },
    })
    bot.onStart((env) => {
      const settings = readFormationSettings(options, env)
      // A formation finds its siblings through the account's presence and follows them through carbons, neither of which a component has.
      if (settings.enabled && isDomainJid(bot.jid)) {
        if ((options.formation ?? env.XMPP_FORMATION) !== undefined) {
          throw new ConfigError('XMPP_FORMATION', 'a component (JID without a local part) cannot run as a formation: run one process')
        }
        bot.log.info('a component runs as one process: no formation')
        this.#configure({ ...settings, enabled: false })
      } else this.#configure(settings)
    })
    bot.decoratePresence((presence) => {
      if (this.#enabled) presence.append(xml('formation', { xmlns: NS_FORMATION, state: this.#ownState(), since: this.#ownSince() }))
    })
    bot.use((ctx, next) => this.#inbound(ctx, next))
    bot.on('disconnected', () => this.#linkDown())
    bot.on('ready', ({ resumed }) => this.#linkUp(resumed))
    bot.onStopping(() => this.#handOver())
    bot.onShutdown(() => {
      this.#watch.stop()
      this.#endJoining()
    })
  }

  /** Whether this bot coordinates with its siblings. */
  get enabled(): boolean {
    return this.#enabled
  }

  /** The full JIDs of the processes taking work now, this one included, sorted. */
  members(): string[] {
    return this.#members.active()
  }

  /**
   * Whether this process owns a conversation now (a contact's or a room's bare JID): whether a stanza
   * of it that came in now would be handled here. True when the bot does not coordinate.
   *
   * @example
   * ```ts
   * if (bot.formation.owns('team@conference.example.org')) await bot.rooms.say('team@conference.example.org', 'Stand-up!')
   * ```
   */
  owns(conversation: string): boolean {
    // While this process joins, the members that take work own everything; when none does, the joining ones share it.
    return !this.#enabled || this.#members.owner(bareJid(conversation)) === this.#bot.jid
  }

  /**
   * Listens to changes of the formation.
   *
   * @example
   * ```ts
   * bot.formation.on('change', ({ members }) => metrics.gauge('bot.processes', members.length))
   * ```
   */
  on(event: 'change', listener: (change: FormationChange) => unknown): this {
    this.#listeners.add(event, listener)
    return this
  }

  #configure(settings: FormationSettings): void {
    this.#enabled = settings.enabled
    this.#takeoverAfter = settings.takeoverAfter
    this.#backlog = new Backlog(this.#takeoverAfter + 2 * IN_FLIGHT_MS + QUEUED_MS)
  }

  #ownState(): MemberState {
    if (this.#stopping) return 'leaving'
    if (this.#offlineSince !== undefined || this.#joinAtEcho) return 'joining'
    return this.#joining && !this.#joining.announcing ? 'joining' : 'active'
  }

  /** In a `joining` presence of a process that took work before: since when it handled nothing, as epoch ms. */
  #ownSince(): string | undefined {
    if (this.#stopping) return undefined
    let since: number | undefined
    if (this.#offlineSince !== undefined) since = this.#tookWork ? toEpoch(this.#offlineSince) : undefined
    else if (this.#joining && !this.#joining.announcing) since = this.#joining.since
    return since === undefined ? undefined : String(Math.round(since))
  }

  #linkDown(): void {
    if (this.#offlineSince !== undefined) return
    this.#offlineSince = performance.now()
    this.#tookWork = this.#enabled && !this.#joining && !this.#joinAtEcho && !this.#stopping && this.#members.all().length > 0
    this.#watch.stop()
  }

  #linkUp(resumed: boolean): void {
    const now = performance.now()
    const offlineSince = this.#offlineSince ?? now
    this.#offlineSince = undefined
    if (!this.#enabled) return
    if (!resumed) {
      // A new session: the server announces the siblings again, and carbons are off until enabled anew.
      this.#endJoining()
      this.#handovers.endAll()
      this.#members.clear()
      this.#carbons = false
      // Siblings that shared the work must learn that what reached the old session is theirs to take over, and
      // hand nothing to this one meanwhile. Alone, it handles what comes until its presence is back: the server
      // sends it nothing of the siblings' before that.
      if (this.#tookWork) this.#openPhase(toEpoch(offlineSince))
      else this.#joinAtEcho = true
      this.#changed()
      return
    }
    // The same session went on, and got what waited meanwhile; the siblings may have taken its share over.
    this.#watch.refresh(now)
    if (this.#members.all().length > 0) this.#watch.start(now)
    if (this.#tookWork && now - offlineSince > this.#watch.stallAfter) this.#rejoin(offlineSince, now, 'offline')
  }

  #inbound(ctx: StanzaContext, next: Next): unknown {
    if (!this.#enabled || this.#decided.delete(ctx.stanza)) return next()
    const now = performance.now()
    this.#watch.check(now)
    if (this.#fromOwnAccount(ctx.from)) {
      if (ctx.kind === 'presence' && this.#onOwnPresence(ctx as PresenceContext, now)) return undefined
      if (ctx.kind === 'message' && this.#siblings.carbon(ctx.stanza, bareJid(this.#bot.jid), now)) return undefined
    }
    if (!this.#members.hasActiveSiblings && !this.#members.selfLeaving && !this.#joining && !this.#handovers.holding) return next()
    const key = this.#conversation(ctx)
    if (key === undefined) return next()
    if (this.#joining) {
      this.#joining.window.hold(ctx.stanza, key, now)
      return undefined
    }
    const owner = this.#members.owner(key)
    if (owner === this.#bot.jid) return this.#handovers.hold(ctx.stanza, key) ? undefined : next()
    this.#backlog.add(ctx.stanza, key, owner, now)
    return undefined
  }

  /** Whether a JID is the bot's own account; string tests only, as this runs for every stanza. */
  #fromOwnAccount(from: string): boolean {
    const self = this.#bot.jid
    const slash = self.indexOf('/')
    const bareLength = slash === -1 ? self.length : slash
    if (from.length < bareLength || (from.length > bareLength && from[bareLength] !== '/')) return false
    return from.slice(0, bareLength).toLowerCase() === self.slice(0, bareLength).toLowerCase()
  }

  /**
   * The conversation a stanza belongs to, which one member owns; undefined for what only this process got:
   * IQs, messages sent to its own full JID by anyone but a room, and, while no sibling takes work, messages the
   * server kept and delivers to this session alone (stamped delayed by the server: offline storage while no
   * process ran). Once a sibling takes work, what the server delivers again went to every member.
   */
  #conversation(ctx: StanzaContext): string | undefined {
    const from = bareJid(ctx.from)
    if (ctx.kind === 'presence' || ctx.kind === 'subscription') return from
    if (ctx.kind !== 'message') return undefined
    const fromRoom = (ctx as MessageContext).type === 'groupchat' || this.#bot.rooms.nick(from) !== undefined
    if (fromRoom) return from
    if (parseJid(ctx.to)?.resource) return undefined
    const delay = ctx.stanza.getChild('delay', NS_DELAY)
    if (delay && delay.attrs.from === parseJid(this.#bot.jid)?.domain && !this.#members.hasActiveSiblings) return undefined
    return from
  }

  /** The account's own presences: this process's own back from the server, or a sibling's. True when a formation matter. */
  #onOwnPresence(presence: PresenceContext, now: number): boolean {
    const marker = presence.stanza.getChild('formation', NS_FORMATION)
    if (presence.from !== this.#bot.jid) return this.#siblings.presence(presence, marker, now)
    // Our own presence, back from the server: in its stream, the cut between before and after it.
    const state = marker?.attrs.state
    if (state === 'leaving' && this.#stopping) {
      this.#members.selfLeaving = true
      this.#announced?.()
    } else if (state === 'joining' && (this.#joinAtEcho || (this.#joining && !this.#joining.echoed))) {
      this.#joinAtEcho = false
      ;(this.#joining ?? this.#openPhase(undefined)).echo(now)
    } else if (state === 'active' && this.#joining?.announcing) this.#endJoining()
    return true
  }

  #changed(): void {
    if (this.#members.hasActiveSiblings) this.#siblingActive?.()
    const members = this.#members.active()
    const logged = members.join(' ')
    if (logged !== this.#logged) {
      this.#logged = logged
      const self = this.#bot.jid
      this.#bot.log.info(
        { members },
        `formation: ${members.length} ${members.length === 1 ? 'member' : 'members'}, this one ${parseJid(self)?.resource || self}`,
      )
      this.#listeners.emit('change', { members, self })
    }
    if (this.#members.all().length > 0) {
      if (this.#offlineSince === undefined) this.#watch.start(performance.now())
      if (!this.#carbons) this.#enableCarbons()
    } else this.#watch.stop()
  }

  #enableCarbons(): void {
    this.#carbons = true
    this.#bot
      .request({ type: 'set', payload: xml('enable', { xmlns: NS_CARBONS }) })
      .catch((e: unknown) => this.#bot.log.warn({ err: e }, 'formation: no carbons; a takeover may answer more twice'))
  }

  /**
   * This process did not run, or had no link, from `since` until `now`, and took work: the siblings may have
   * taken its share over meanwhile. It steps out and joins again, saying since when it handled nothing, so that
   * those that did not take over do; what waited for it meanwhile is theirs.
   */
  #rejoin(since: number, now: number, why: 'stalled' | 'offline'): void {
    if (this.#joining || this.#joinAtEcho || this.#stopping || this.#members.selfLeaving || this.#offlineSince !== undefined) return
    this.#bot.log.warn({ ms: Math.round(now - since), why }, 'formation: this process was away long enough to be taken over; joining again')
    this.#openPhase(toEpoch(since))
    this.#changed()
    this.#announce()
  }

  /** Takes no work from here on, holding what comes in, until it has learned its siblings and said it is active. */
  #openPhase(since: number | undefined): JoinPhase {
    const atStart = new Map<string, WindowState>(this.#members.all().map((m) => [m.jid, m.dead ? 'dead' : m.state]))
    const phase = new JoinPhase(this.#bot.jid, atStart, since, {
      waiting: () => this.#members.all().some((m) => !m.confirmed && m.state !== 'leaving'),
      announce: () => this.#announce(),
      end: () => this.#endJoining(),
    })
    this.#joining = phase
    this.#members.selfJoining = true
    return phase
  }

  #announce(): void {
    this.#bot.refreshPresence().catch((e: unknown) => this.#bot.log.warn({ err: e }, 'formation: cannot announce this process'))
  }

  /** Takes work from here on; what came in while joining goes where the window says. */
  #endJoining(): void {
    const phase = this.#joining
    if (!phase) return
    this.#joining = undefined
    this.#members.selfJoining = false
    this.#members.selfActiveSince = performance.now()
    phase.cancel()
    const self = this.#bot.jid
    const settled = phase.window.settle({
      confirmed: (jid) => this.#members.get(jid)?.confirmed ?? phase.confirmedGone.has(jid),
      answeredBy: (jid) => this.#answers.answeredBy(jid),
    })
    for (const { stanza, key, owner, since } of settled) {
      if (owner === self) this.#handle(stanza)
      else this.#backlog.add(stanza, key, owner, since)
    }
    this.#changed()
  }

  /** Handles a stanza held earlier and found to be this process's, whoever owns its conversation now. */
  #handle(stanza: XmlElement): void {
    this.#decided.add(stanza)
    this.#bot.track(this.#bot.dispatch(stanza)).catch(() => {})
  }

  /** On SIGTERM: says it is leaving and waits until the server passed that on; then the siblings own its share. */
  async #handOver(): Promise<boolean> {
    this.#endJoining()
    this.#handovers.endAll()
    if (!this.#enabled) return false
    // Heroku starts the new process as it stops the old one: hand over to it once it has learned the formation.
    if (!this.#members.hasActiveSiblings && this.#members.hasJoiningSiblings) {
      await within(new Promise<void>((resolve) => (this.#siblingActive = resolve)), JOINER_WAIT_MS)
      this.#siblingActive = undefined
    }
    if (!this.#members.hasActiveSiblings) return false
    this.#stopping = true
    const announced = new Promise<void>((resolve) => (this.#announced = resolve))
    await this.#bot.refreshPresence()
    const handedOver = await within(announced, ANNOUNCE_WAIT_MS)
    this.#bot.log.info(
      { members: this.#members.active() },
      handedOver ? 'formation: handed over to the other members' : 'formation: could not announce leaving',
    )
    return handedOver
  }
}

/** `performance.now()` as epoch ms, the clock processes share (on one machine exactly, across machines as NTP keeps them). */
function toEpoch(now: number): number {
  return performance.timeOrigin + now
}

/** Whether `promise` resolved within `ms`. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  const inTime = await Promise.race([promise.then(() => true), late])
  clearTimeout(timer)
  return inTime
}

/** What coordination adds to a bot. */
export interface FormationFeature {
  /** The processes of this bot that share its work (`heroku ps:scale bot=N`). */
  readonly formation: Formation
}

/**
 * Formations: several processes of one bot (same JID, distinct resources) handle each stanza sent to
 * the bot's bare JID once. Members know each other by a presence payload, split conversations by
 * rendezvous hashing, hand their share over on SIGTERM, and take over the share of one that stops
 * answering. Installed after rooms, whose middleware must see every room stanza. `createBot()`
 * installs it.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(rooms()).install(formation({ takeoverAfter: 3_000 }))
 * ```
 */
export function formation(options: FormationOptions = {}): (bot: BotCore & RoomsFeature) => FormationFeature {
  return (bot) => {
    bot.settingsTable.add(...Object.values(FORMATION_SETTINGS))
    return { formation: new Formation(bot, options) }
  }
}
