/**
 * Where a process stands, as its presence says: `joining` (just online, learning its siblings, no work yet),
 * `active` (taking work), `leaving` (stopping, no new work).
 */
export type MemberState = 'joining' | 'active' | 'leaving'

/** A ping a sibling answered: when it went out and when the answer came, as `performance.now()`. */
interface Pong {
  readonly sent: number
  readonly answered: number
}

/** How many answered pings are remembered per sibling: enough to reach back over a takeover time. */
const PONGS_KEPT = 8

/** One process of the formation, as its presence and its answers tell. */
export interface Member {
  /** Its full JID: the bot's bare JID and the process's own resource. */
  readonly jid: string
  state: MemberState
  /**
   * It has shown this process that it runs: it answered a ping, changed its presence or sent something. A
   * presence alone proves nothing, as the server keeps a killed process's session "available" for minutes.
   */
  confirmed: boolean
  /** It stopped answering: its share went to the others. */
  dead: boolean
  /** When it was declared dead, as `performance.now()`. */
  deadAt: number
  /** When it last showed it was alive (a presence, a ping's answer, a carbon of what it sent), as `performance.now()`. */
  heard: number
  /** When this process saw it say it was active, as `performance.now()`: the cut from which it takes work. */
  activeSince: number
  /** When this process saw it say it was leaving, as `performance.now()`. */
  leavingAt: number | undefined
  /** The latest pings it answered, oldest first. */
  readonly pongs: Pong[]
}

/** What a sibling's presence changed. */
export interface Heard {
  readonly member: Member
  /** Its state before, undefined for a sibling not known so far. */
  readonly before: MemberState | undefined
  /** It had been declared dead. */
  readonly wasDead: boolean
  /** Whether the members taking work changed. */
  readonly changed: boolean
}

/**
 * The processes of one bot that coordinate, this one included, and which of them owns a conversation.
 * Ownership is rendezvous hashing over the members taking work: every member that sees the same members
 * picks the same owner, and when one comes or goes only its own share moves. Only a sibling that has shown
 * it runs takes work: the session of a killed process lingers on the server, "available", and must not.
 */
export class Members {
  readonly #byJid = new Map<string, Member>()
  /** This process is stopping: it owns nothing from the moment its announcement came back from the server. */
  selfLeaving = false
  /** This process has just come online (or comes back) and learns its siblings: it owns nothing until it says it is active. */
  selfJoining = false
  /** When this process's own `active` came back from the server, as `performance.now()`. */
  selfActiveSince = 0

  constructor(private readonly self: () => string) {}

  /**
   * A sibling's presence with the formation payload came in. A change of state proves it runs: the server
   * sends a stored presence again only as it was.
   */
  heard(jid: string, state: MemberState, now: number): Heard {
    const known = this.#byJid.get(jid)
    if (!known) {
      const member: Member = { jid, state, confirmed: false, dead: false, deadAt: 0, heard: now, activeSince: now, leavingAt: undefined, pongs: [] }
      if (state === 'leaving') member.leavingAt = now
      this.#byJid.set(jid, member)
      return { member, before: undefined, wasDead: false, changed: false }
    }
    const before = takesWork(known)
    const wasDead = known.dead
    const previous = known.state
    known.heard = now
    if (state !== previous) {
      known.state = state
      known.confirmed = true
      known.dead = false
      known.leavingAt = state === 'leaving' ? now : undefined
      if (state === 'active') known.activeSince = now
    }
    return { member: known, before: previous, wasDead, changed: takesWork(known) !== before }
  }

  /** A sign of life other than a ping's answer (a carbon of what it sent); true when that brings it back to work. */
  alive(jid: string, now: number): boolean {
    const member = this.#byJid.get(jid)
    if (!member) return false
    member.heard = now
    const before = takesWork(member)
    member.confirmed = true
    member.dead = false
    return takesWork(member) !== before
  }

  /**
   * A sibling answered a ping sent at `sent`: it had read all that reached this process before then. True when
   * that brings it to work: its first answer, or an answer to a ping sent after it was declared dead.
   */
  answered(jid: string, sent: number, now: number): boolean {
    const member = this.#byJid.get(jid)
    if (!member) return false
    member.heard = now
    member.pongs.push({ sent, answered: now })
    if (member.pongs.length > PONGS_KEPT) member.pongs.shift()
    const before = takesWork(member)
    if (!member.dead || sent > member.deadAt) {
      member.confirmed = true
      member.dead = false
    }
    return takesWork(member) !== before
  }

  /** Declares a sibling dead; true when it was taking work. */
  declareDead(jid: string, now: number): boolean {
    const member = this.#byJid.get(jid)
    if (!member || member.dead) return false
    const before = takesWork(member)
    member.dead = true
    member.deadAt = now
    return before
  }

  /**
   * Up to when a sibling is known to have read what reached this process: when the latest ping it answered
   * by `by` went out (by default, any answer so far); `fallback` when it answered none.
   */
  readUpTo(member: Member, fallback: number, by = Number.POSITIVE_INFINITY): number {
    let latest: number | undefined
    for (const pong of member.pongs) if (pong.answered <= by && (latest === undefined || pong.sent > latest)) latest = pong.sent
    return latest ?? fallback
  }

  get(jid: string): Member | undefined {
    return this.#byJid.get(jid)
  }

  remove(jid: string): boolean {
    return this.#byJid.delete(jid)
  }

  clear(): void {
    this.#byJid.clear()
    this.selfLeaving = false
  }

  /** Every sibling known, dead or alive: those worth pinging. */
  all(): Member[] {
    return [...this.#byJid.values()]
  }

  /** Whether a sibling has just come online and will take work once it has learned the formation. */
  get hasJoiningSiblings(): boolean {
    for (const member of this.#byJid.values()) if (member.state === 'joining' && member.confirmed && !member.dead) return true
    return false
  }

  /** Whether any sibling takes work. */
  get hasActiveSiblings(): boolean {
    for (const member of this.#byJid.values()) if (takesWork(member)) return true
    return false
  }

  /** Whether this sibling takes work now. */
  takesWork(jid: string): boolean {
    const member = this.#byJid.get(jid)
    return member !== undefined && takesWork(member)
  }

  /** The full JIDs that take work now, this process included unless it is joining or leaving, sorted. */
  active(): string[] {
    const jids = [...this.#byJid.values()].filter(takesWork).map((m) => m.jid)
    if (!this.selfLeaving && !this.selfJoining) jids.push(this.self())
    return jids.sort()
  }

  /**
   * Who inherits a stanza that came in at `at` from a member that dropped it: one of those that took work then
   * and still do. A process that joined later counted that stanza as its siblings' and never holds it.
   */
  heir(key: string, at: number): string {
    const then = [...this.#byJid.values()].filter((m) => takesWork(m) && m.activeSince <= at).map((m) => m.jid)
    if (!this.selfLeaving && !this.selfJoining && this.selfActiveSince <= at) then.push(this.self())
    return then.length > 0 ? ownerAmong(key, then.sort()) : this.owner(key)
  }

  /**
   * The member that owns a conversation: one of those taking work; when none does (every process came back
   * at once, as after the server's restart), one of those joining; when none is, this process.
   */
  owner(key: string): string {
    const active = this.active()
    if (active.length > 0) return ownerAmong(key, active)
    const joining = [...this.#byJid.values()].filter((m) => m.state === 'joining' && m.confirmed && !m.dead).map((m) => m.jid)
    if (this.selfJoining) joining.push(this.self())
    return ownerAmong(key, joining.length > 0 ? joining : [this.self()])
  }
}

function takesWork(member: Member): boolean {
  return member.state === 'active' && member.confirmed && !member.dead
}

/** The member among `jids` (not empty) that owns a conversation. */
export function ownerAmong(key: string, jids: readonly string[]): string {
  let best = jids[0] as string
  let bestScore = -1
  for (const jid of jids) {
    const score = weight(key, jid)
    if (score > bestScore) {
      best = jid
      bestScore = score
    }
  }
  return best
}

/** FNV-1a over the conversation and the member, mixed: cheap, stable across processes and Node versions. */
function weight(key: string, member: string): number {
  let hash = 0x811c9dc5
  const text = `${key}\u0000${member}`
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  hash ^= hash >>> 16
  hash = Math.imul(hash, 0x85ebca6b)
  hash ^= hash >>> 13
  return hash >>> 0
}
