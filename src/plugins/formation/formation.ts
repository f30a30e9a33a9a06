import type { BotCore } from '../../bot/bot-core.js'
import { Listeners } from '../../bot/listeners.js'
import type { MessageContext } from '../../dispatch/context/message.js'
import type { PresenceContext } from '../../dispatch/context/presence.js'
import type { StanzaContext } from '../../dispatch/context/stanza-context.js'
import type { Next } from '../../dispatch/router.js'
import { bareJid, parseJid } from '../../jid.js'
import { NS_CARBONS, NS_FORWARD, NS_PING } from '../../ns.js'
import { type XmlElement, xml } from '../../xml.js'
import type { RoomsFeature } from '../rooms/rooms.js'
import { Backlog, type Fate, type Held } from './backlog.js'
import { JoinWindow } from './join-window.js'
import { type MemberState, Members } from './members.js'
import { FORMATION_SETTINGS, type FormationOptions, type FormationSettings, readFormationSettings } from './settings.js'

/** The presence payload by which the processes of one bot know each other. */
export const NS_FORMATION = 'urn:natter:formation:0'
/** A dead sibling may have been busy with what it got this long before it last showed it was alive. */
const IN_FLIGHT_MS = 1_000
/** How long a stopping process waits for its announcement to come back from the server. */
const ANNOUNCE_WAIT_MS = 2_000
/**
 * How long a process that has just come online learns its siblings before it takes work: their presences
 * come in after its own came back (ejabberd sends them as answers to a probe).
 */
const JOIN_SETTLE_MS = IN_FLIGHT_MS
/** How long a stopping process waits for a sibling that is joining to take work, so as to hand over to it. */
const JOINER_WAIT_MS = JOIN_SETTLE_MS + 2 * ANNOUNCE_WAIT_MS

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
  /** Per sibling, per conversation: when it last sent something there, from the carbons of what it sent. */
  readonly #lastSent = new Map<string, Map<string, number>>()
  readonly #pinging = new Set<string>()
  #timer: NodeJS.Timeout | undefined
  #carbons = false
  #stopping = false
  #announced: (() => void) | undefined
  /** Set while a stopping process waits for a joining sibling to take work. */
  #siblingActive: (() => void) | undefined
  /**
   * No session yet, or a new one whose presence has not come back from the server: its presence says `joining`.
   * Set when a session ends, since the core builds a new session's presence before `ready`.
   */
  #unannounced = true
  /** The session that ended had been announced: a resumed one still is. */
  #announcedBeforeDrop = false
  /** Stanzas this process has found to be its own after holding them, on their way through the middleware again. */
  readonly #decided = new WeakSet<XmlElement>()
  /**
   * From its presence's return until its `active` presence's: the process learns its siblings and holds what
   * comes in, which the siblings handle meanwhile if there are any; `announcing` once it has said `active`.
   */
  #joining: { readonly window: JoinWindow; timer: NodeJS.Timeout; announcing: boolean } | undefined

  /** @internal Created by the {@link formation} feature. */
  constructor(bot: BotCore & RoomsFeature, options: FormationOptions) {
    this.#bot = bot
    this.#members = new Members(() => bot.jid)
    this.#listeners = new Listeners(() => bot.log)
    this.#configure(readFormationSettings(options, {}))
    bot.onStart((env) => this.#configure(readFormationSettings(options, env)))
    bot.decoratePresence((presence) => {
      if (this.#enabled) presence.append(xml('formation', { xmlns: NS_FORMATION, state: this.#ownState() }))
    })
    bot.use((ctx, next) => this.#inbound(ctx, next))
    bot.on('disconnected', () => {
      if (this.#unannounced) return
      this.#announcedBeforeDrop = true
      this.#unannounced = true
    })
    bot.on('ready', ({ resumed }) => {
      if (resumed && this.#announcedBeforeDrop) this.#unannounced = false
      this.#announcedBeforeDrop = false
      if (resumed || !this.#enabled) return
      // A new session: the server announces the siblings again, and carbons are off until enabled anew.
      this.#endJoining()
      this.#members.clear()
      this.#carbons = false
      this.#changed()
    })
    bot.onStopping(() => this.#handOver())
    bot.onShutdown(() => {
      this.#stopTimer()
      this.#endJoining()
    })
  }

  #ownState(): MemberState {
    if (this.#stopping) return 'leaving'
    return this.#unannounced || (this.#joining && !this.#joining.announcing) ? 'joining' : 'active'
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
    if (!this.#enabled) return true
    if (this.#joining) return false
    if (!this.#members.hasActiveSiblings && !this.#members.selfLeaving) return true
    return this.#members.owner(bareJid(conversation)) === this.#bot.jid
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
    this.#backlog = new Backlog(this.#takeoverAfter + 2 * IN_FLIGHT_MS)
  }

  #inbound(ctx: StanzaContext, next: Next): unknown {
    if (!this.#enabled || this.#decided.delete(ctx.stanza)) return next()
    if (this.#fromOwnAccount(ctx.from)) {
      if (ctx.kind === 'presence' && this.#onOwnPresence(ctx as PresenceContext)) return undefined
      if (ctx.kind === 'message' && this.#onCarbon(ctx.stanza)) return undefined
    }
    if (!this.#members.hasActiveSiblings && !this.#members.selfLeaving && !this.#joining) return next()
    const key = this.#conversation(ctx)
    if (key === undefined) return next()
    if (this.#joining) {
      this.#joining.window.hold(ctx.stanza, key)
      return undefined
    }
    const owner = this.#members.owner(key)
    if (owner === this.#bot.jid) return next()
    if (owner !== undefined) this.#backlog.add(ctx.stanza, key, owner, performance.now())
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
   * The conversation a stanza belongs to, which one member owns; undefined for what only this
   * process got: IQs, and messages sent to its own full JID by anyone but a room.
   */
  #conversation(ctx: StanzaContext): string | undefined {
    const from = bareJid(ctx.from)
    if (ctx.kind === 'presence' || ctx.kind === 'subscription') return from
    if (ctx.kind !== 'message') return undefined
    const fromRoom = (ctx as MessageContext).type === 'groupchat' || this.#bot.rooms.nick(from) !== undefined
    if (!fromRoom && parseJid(ctx.to)?.resource) return undefined
    return from
  }

  /** Learns the siblings from the account's own presence; true when the presence was a formation matter. */
  #onOwnPresence(presence: PresenceContext): boolean {
    const marker = presence.stanza.getChild('formation', NS_FORMATION)
    const now = performance.now()
    if (presence.from === this.#bot.jid) {
      // Our own presence, back from the server: in its stream, the cut between before and after it.
      const state = marker?.attrs.state
      if (state === 'leaving' && this.#stopping) {
        this.#members.selfLeaving = true
        this.#announced?.()
      } else if (state === 'joining' && this.#unannounced) this.#startJoining()
      else if (state === 'active' && this.#joining?.announcing) this.#endJoining()
      return true
    }
    const known = this.#members.get(presence.from)
    if (presence.type === 'unavailable' || (!marker && known)) {
      if (this.#members.remove(presence.from)) this.#changed()
      if (known) this.#joining?.window.heard(presence.from, false)
      return marker !== undefined || known !== undefined
    }
    if (!marker || presence.type !== 'available') return false
    const state = memberState(marker.attrs.state)
    this.#joining?.window.heard(presence.from, state === 'active')
    if (this.#members.update(presence.from, state, now)) this.#changed()
    return true
  }

  /** Carbons (XEP-0280) of what the siblings sent and got: proof of life, and what they answered. */
  #onCarbon(stanza: XmlElement): boolean {
    const wrapper = stanza.getChild('sent', NS_CARBONS) ?? stanza.getChild('received', NS_CARBONS)
    if (!wrapper || stanza.attrs.from !== bareJid(this.#bot.jid)) return false
    const inner = wrapper.getChild('forwarded', NS_FORWARD)?.getChild('message')
    if (wrapper.name === 'sent' && inner?.attrs.from && inner.attrs.to) {
      const member = this.#members.get(inner.attrs.from)
      if (member) {
        const now = performance.now()
        member.lastAlive = now
        let sent = this.#lastSent.get(member.jid)
        if (!sent) this.#lastSent.set(member.jid, (sent = new Map()))
        sent.set(bareJid(inner.attrs.to), now)
      }
    }
    return true
  }

  #changed(): void {
    if (this.#members.hasActiveSiblings) this.#siblingActive?.()
    const members = this.#members.active()
    const self = this.#bot.jid
    this.#bot.log.info({ members }, `formation: ${members.length} ${members.length === 1 ? 'member' : 'members'}, this one ${parseJid(self)?.resource || self}`)
    this.#listeners.emit('change', { members, self })
    if (this.#members.watched().length > 0) {
      this.#startTimer()
      if (!this.#carbons) this.#enableCarbons()
    } else this.#stopTimer()
  }

  #enableCarbons(): void {
    this.#carbons = true
    this.#bot
      .request({ type: 'set', payload: xml('enable', { xmlns: NS_CARBONS }) })
      .catch((e: unknown) => this.#bot.log.warn({ err: e }, 'formation: no carbons; a takeover may answer more twice'))
  }

  #startTimer(): void {
    if (this.#timer) return
    const tick = Math.max(200, this.#takeoverAfter / 5)
    this.#timer = setInterval(() => this.#watch(tick), tick)
    this.#timer.unref()
  }

  #stopTimer(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** Pings the siblings, and takes over from those silent for longer than the takeover time. */
  #watch(tick: number): void {
    const now = performance.now()
    this.#backlog.prune(now)
    for (const member of this.#members.watched()) {
      if (now - member.lastAlive > this.#takeoverAfter - tick) {
        this.#takeOver(member.jid, member.lastAlive)
        continue
      }
      if (this.#pinging.has(member.jid)) continue
      this.#pinging.add(member.jid)
      this.#bot
        .request({ to: member.jid, type: 'get', payload: xml('ping', { xmlns: NS_PING }), timeout: this.#takeoverAfter })
        .then(
          () => {
            const known = this.#members.get(member.jid)
            if (known && !known.dead) known.lastAlive = performance.now()
          },
          () => {},
        )
        .finally(() => this.#pinging.delete(member.jid))
    }
  }

  /** A sibling stopped answering: its share goes to the others, and this process handles its part of what the sibling may have left unanswered. */
  #takeOver(jid: string, lastAlive: number): void {
    const member = this.#members.get(jid)
    if (!member) return
    member.dead = true
    this.#bot.log.warn({ member: jid, silentMs: Math.round(performance.now() - lastAlive) }, 'formation: a member stopped answering; taking over its share')
    this.#changed()
    const sent = this.#lastSent.get(jid)
    const self = this.#bot.jid
    const fate = (held: Held): Fate | undefined => {
      // It answered that conversation since, or lived on long enough to have handled it.
      if (held.since <= Math.max(sent?.get(held.key) ?? 0, lastAlive - IN_FLIGHT_MS)) return 'answered'
      const heir = this.#members.owner(held.key)
      return heir === self ? 'mine' : heir
    }
    const taken = this.#backlog.takeOver(jid, fate, performance.now())
    if (taken.length > 0) this.#bot.log.info({ member: jid, stanzas: taken.length }, 'formation: handling what it left unanswered')
    for (const held of taken) this.#bot.track(this.#handle(held.stanza)).catch(() => {})
  }

  /**
   * The siblings have seen this process from its presence on, but it learns of them only as their presences
   * come in, maybe after the first messages: until they have, what it would own is not known yet.
   */
  #startJoining(): void {
    this.#unannounced = false
    const siblings = new Map(this.#members.watched().map((m) => [m.jid, m.state === 'active']))
    const timer = setTimeout(() => this.#announceActive(), JOIN_SETTLE_MS)
    this.#joining = { window: new JoinWindow(siblings), timer, announcing: false }
    this.#members.selfJoining = true
  }

  /** Says `active`; its return is where this process's share begins, for the siblings as for itself. */
  #announceActive(): void {
    const joining = this.#joining
    if (!joining) return
    joining.announcing = true
    // Should the presence never come back, the share begins a little later instead of never.
    joining.timer = setTimeout(() => this.#endJoining(), ANNOUNCE_WAIT_MS)
    this.#bot.refreshPresence().catch((e: unknown) => this.#bot.log.warn({ err: e }, 'formation: cannot announce this process'))
  }

  /**
   * Takes work from here on. What came in while joining was the siblings' that took work then (kept in case
   * they die), and this process's only when none did.
   */
  #endJoining(): void {
    const joining = this.#joining
    if (!joining) return
    this.#joining = undefined
    this.#members.selfJoining = false
    clearTimeout(joining.timer)
    const now = performance.now()
    for (const { stanza, key, siblings } of joining.window.held()) {
      const owner = this.#members.owner(key, siblings)
      if (owner === undefined) this.#bot.track(this.#handle(stanza)).catch(() => {})
      else this.#backlog.add(stanza, key, owner, now)
    }
    this.#changed()
  }

  /** Handles a stanza held earlier and found to be this process's, whoever owns its conversation now. */
  #handle(stanza: XmlElement): Promise<void> {
    this.#decided.add(stanza)
    return this.#bot.dispatch(stanza)
  }

  /** On SIGTERM: says it is leaving and waits until the server passed that on; then the siblings own its share. */
  async #handOver(): Promise<boolean> {
    this.#endJoining()
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

/** Whether `promise` resolved within `ms`. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  const inTime = await Promise.race([promise.then(() => true), late])
  clearTimeout(timer)
  return inTime
}

/** A sibling's state from its presence; an unknown one (a later version's) as `active`, as before there were states. */
function memberState(state: string | undefined): MemberState {
  return state === 'joining' || state === 'leaving' ? state : 'active'
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
