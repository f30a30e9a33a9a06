import type { PresenceContext } from '../../dispatch/context/presence.js'
import { bareJid } from '../../jid.js'
import type { Logger } from '../../log/logger.js'
import { NS_CARBONS, NS_FORWARD } from '../../ns.js'
import type { XmlElement } from '../../xml.js'
import type { Answers } from './answers.js'
import type { Backlog, Fate, Held } from './backlog.js'
import type { Handovers } from './handovers.js'
import type { JoinPhase } from './join-phase.js'
import type { Member, MemberState, Members } from './members.js'

/** A sibling that dropped its share may have been busy with what it got this long before it last showed it had read it. */
export const IN_FLIGHT_MS = 1_000
/**
 * How long a stanza a sibling read may have waited behind the slow handlers of its conversation (each waits for the
 * one before it to save the conversation's state) and still be handled should the sibling die: what the backlog and
 * the carbons are kept for beyond the takeover time.
 */
export const QUEUED_MS = 10_000
/**
 * A message and a sibling's `leaving` may cross on their way through the server (ejabberd routes them through
 * separate processes): what the leaving sibling did not answer this long before its announcement is the others'.
 */
const CROSSING_MS = 500

/** What the siblings' doings ask of the formation. */
export interface SiblingsHost {
  /** This process's full JID. */
  readonly self: string
  readonly log: Logger
  /** The join phase, while this process is in one. */
  readonly joining: JoinPhase | undefined
  readonly backlog: Backlog
  /** The conversations taken from leaving siblings, held until those are done with them. */
  readonly handovers: Handovers
  /** How long a leaving sibling may take to finish what it had: its shutdown deadline. */
  readonly leavingFor: number
  /** The members taking work may have changed. */
  changed(): void
  /** Handles a stanza held earlier, found to be this process's. */
  handle(stanza: XmlElement): void
  /** Pings a sibling now, to learn whether it runs. */
  ping(jid: string): void
}

/**
 * How this process follows what its siblings do, as their presences, their answers to pings and the carbons of
 * what they send tell: which of them run and take work, and, when one drops its share (it dies, comes back from a
 * stall, or goes), which of what it had this process handles. What a sibling answered (a carbon shows it) or
 * had read long enough before is not handled again.
 */
export class Siblings {
  constructor(
    private readonly members: Members,
    private readonly answers: Answers,
    private readonly host: SiblingsHost,
  ) {}

  /** A presence from another resource of the account; true when it was a formation matter. */
  presence(presence: PresenceContext, marker: XmlElement | undefined, now: number): boolean {
    const { from } = presence
    const known = this.members.get(from)
    if (presence.type === 'unavailable' || (!marker && known)) {
      if (known) this.#gone(known, now)
      return marker !== undefined || known !== undefined
    }
    if (!marker || presence.type !== 'available') return false
    const state = memberState(marker.attrs.state)
    const heard = this.members.heard(from, state, now)
    this.host.joining?.window.heard(from, state)
    if (heard.before === undefined) {
      // Heard of for the first time: whether it runs, or is what a killed process left on the server, its answer tells.
      this.host.ping(from)
    } else if (state === 'joining' && heard.before !== 'joining') {
      // It comes back (from a stall, a lost session), having handled nothing from `since` on.
      const since = Number(marker.attrs.since) - performance.timeOrigin
      const cut = Number.isFinite(since) ? this.members.readUpTo(heard.member, since, since) - IN_FLIGHT_MS : this.#cutFor(heard.member)
      this.host.log.info({ member: from }, 'formation: a member comes back to join again; taking over what it left unanswered')
      this.#dropped(from, cut, now)
    } else if (state === 'leaving' && heard.changed) {
      // It still finishes what it was given before its announcement: its recent conversations wait for it.
      this.host.handovers.begin(from, this.host.backlog.conversationsOf(from), this.host.leavingFor)
    }
    if (heard.changed || heard.before === undefined) this.host.changed()
    this.host.joining?.update()
    return true
  }

  /** Carbons (XEP-0280) of what the siblings sent and got: proof of life, and what they answered. True for any carbon. */
  carbon(stanza: XmlElement, account: string, now: number): boolean {
    const wrapper = stanza.getChild('sent', NS_CARBONS) ?? stanza.getChild('received', NS_CARBONS)
    if (!wrapper || stanza.attrs.from !== account) return false
    const inner = wrapper.getChild('forwarded', NS_FORWARD)?.getChild('message')
    const from = inner?.attrs.from
    if (wrapper.name === 'sent' && from && inner.attrs.to && this.members.get(from)) {
      this.answers.record(from, bareJid(inner.attrs.to), now)
      if (this.members.alive(from, now)) this.host.changed()
    }
    return true
  }

  /** A sibling answered a ping sent at `sent`. */
  answered(jid: string, sent: number, now: number): void {
    const wasDead = this.members.get(jid)?.dead === true
    if (this.members.answered(jid, sent, now)) {
      if (wasDead) this.host.log.info({ member: jid }, 'formation: a member taken for dead answers again; counting it back in')
      this.host.joining?.window.heard(jid, this.members.get(jid)?.state ?? 'gone')
      this.host.changed()
    }
    this.host.joining?.update()
  }

  /** A sibling that had shown it runs stopped answering: its share goes to the others. */
  silent(member: Member, now: number): void {
    this.members.declareDead(member.jid, now)
    this.host.log.warn({ member: member.jid, silentMs: Math.round(now - member.heard) }, 'formation: a member stopped answering; taking over its share')
    this.host.joining?.window.heard(member.jid, 'dead')
    this.host.changed()
    this.#dropped(member.jid, this.#cutFor(member), now, true)
    this.host.handovers.end(member.jid)
  }

  /** Where what a sibling did not answer starts being the others' when it drops its share. */
  #cutFor(member: Member): number {
    const readUpTo = this.members.readUpTo(member, member.heard) - IN_FLIGHT_MS
    return member.leavingAt === undefined ? readUpTo : Math.min(readUpTo, member.leavingAt - CROSSING_MS)
  }

  /** A sibling's session ended. Gone without a word, or just after its `leaving`, what it left unanswered is the others'. */
  #gone(member: Member, now: number): void {
    let cut: number | undefined
    if (member.confirmed && !member.dead) cut = member.leavingAt === undefined ? this.#cutFor(member) : member.leavingAt - CROSSING_MS
    if (member.confirmed) this.host.joining?.confirmedGone.add(member.jid)
    this.members.remove(member.jid)
    this.host.joining?.window.heard(member.jid, 'gone')
    this.host.changed()
    if (cut !== undefined) this.#dropped(member.jid, cut, now, member.leavingAt === undefined)
    this.host.handovers.end(member.jid)
  }

  /**
   * A sibling handles nothing of what came in from `cut` on: this process handles its part of what the sibling did
   * not answer. One that died (`died`) may also have left what it read before the cut queued behind a slow handler
   * of the same conversation (conversation state makes each wait for the one before it to be saved): where carbons
   * show it replies, what no reply of it answered is handled too. Elsewhere what it read before the cut counts as
   * handled, as a bot need not reply to every message; and one back from a stall goes on with what it had queued.
   */
  #dropped(jid: string, cut: number, now: number, died = false): void {
    this.host.joining?.window.dropped(jid, cut, now)
    const self = this.host.self
    const answered = this.answers.answeredBy(jid)
    const fate = (held: Held): Fate => {
      // Asked of every stanza, in arrival order, so that what answered one before the cut answers no later one.
      if (answered(held.key, held.since)) return 'answered'
      if (held.since < cut && !(died && this.answers.replies(jid, held.key))) return 'answered'
      const heir = this.members.heir(held.key, held.since)
      return heir === self ? 'mine' : heir
    }
    const taken = this.host.backlog.takeOver(jid, fate, now)
    if (taken.length > 0) this.host.log.info({ member: jid, stanzas: taken.length }, 'formation: handling what it left unanswered')
    for (const held of taken) this.host.handle(held.stanza)
  }
}

/** A sibling's state from its presence; an unknown one (a later version's) as `active`, as before there were states. */
function memberState(state: string | undefined): MemberState {
  return state === 'joining' || state === 'leaving' ? state : 'active'
}
