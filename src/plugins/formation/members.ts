/**
 * Where a process stands, as its presence says: `joining` (just online, learning its siblings, no work yet),
 * `active` (taking work), `leaving` (stopping, no new work).
 */
export type MemberState = 'joining' | 'active' | 'leaving'

/** One process of the formation, as its presence and its answers tell. */
export interface Member {
  /** Its full JID: the bot's bare JID and the process's own resource. */
  readonly jid: string
  state: MemberState
  /** It stopped answering: its share went to the others. */
  dead: boolean
  /** When it last showed it was alive (presence, a ping's answer, a carbon of what it sent), as `performance.now()`. */
  lastAlive: number
}

/**
 * The processes of one bot that coordinate, this one included, and which of them owns a conversation.
 * Ownership is rendezvous hashing over the active members' full JIDs: every member that sees the same
 * members picks the same owner, and when one comes or goes only its own share moves.
 */
export class Members {
  readonly #byJid = new Map<string, Member>()
  /** This process is stopping: it owns nothing from the moment its announcement came back from the server. */
  selfLeaving = false
  /** This process has just come online and learns its siblings: it owns nothing until it says it is active. */
  selfJoining = false

  constructor(private readonly self: () => string) {}

  /** Adds or updates a sibling; true when whether it takes work changed (a new sibling that does not, counts too). */
  update(jid: string, state: MemberState, now: number): boolean {
    const known = this.#byJid.get(jid)
    if (!known) {
      this.#byJid.set(jid, { jid, state, dead: false, lastAlive: now })
      return true
    }
    const before = takesWork(known)
    known.state = state
    known.dead = false
    known.lastAlive = now
    return takesWork(known) !== before
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

  /** Whether a sibling has just come online and will take work once it has learned the formation. */
  get hasJoiningSiblings(): boolean {
    for (const member of this.#byJid.values()) if (member.state === 'joining' && !member.dead) return true
    return false
  }

  /** Siblings still answering, whatever their state: those worth pinging. */
  watched(): Member[] {
    return [...this.#byJid.values()].filter((m) => !m.dead)
  }

  /** Whether any sibling takes work. */
  get hasActiveSiblings(): boolean {
    for (const member of this.#byJid.values()) if (takesWork(member)) return true
    return false
  }

  /** The full JIDs that take work now, this process included unless it is joining or leaving, sorted. */
  active(): string[] {
    const jids = [...this.#byJid.values()].filter(takesWork).map((m) => m.jid)
    if (!this.selfLeaving && !this.selfJoining) jids.push(this.self())
    return jids.sort()
  }

  /** The member that owns a conversation, or undefined when no member takes work. */
  owner(key: string, among: readonly string[] = this.active()): string | undefined {
    let best: string | undefined
    let bestScore = -1
    for (const jid of among) {
      const score = weight(key, jid)
      if (score > bestScore) {
        best = jid
        bestScore = score
      }
    }
    return best
  }
}

function takesWork(member: Member): boolean {
  return member.state === 'active' && !member.dead
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
