/** One process of the formation, as its presence and its answers tell. */
export interface Member {
  /** Its full JID: the bot's bare JID and the process's own resource. */
  readonly jid: string
  /** It announced that it is stopping: it takes no new work. */
  leaving: boolean
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

  constructor(private readonly self: () => string) {}

  /** Adds or updates a sibling; true when it was not an active member before. */
  update(jid: string, leaving: boolean, now: number): boolean {
    const known = this.#byJid.get(jid)
    if (known) {
      const revived = known.dead || (known.leaving && !leaving)
      known.leaving = leaving
      known.dead = false
      known.lastAlive = now
      return revived
    }
    this.#byJid.set(jid, { jid, leaving, dead: false, lastAlive: now })
    return !leaving
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

  /** Siblings still answering, leaving or not: those worth pinging. */
  watched(): Member[] {
    return [...this.#byJid.values()].filter((m) => !m.dead)
  }

  /** Whether any sibling takes work. */
  get hasActiveSiblings(): boolean {
    for (const member of this.#byJid.values()) if (!member.leaving && !member.dead) return true
    return false
  }

  /** The full JIDs that take work now, this process included unless it is leaving, sorted. */
  active(): string[] {
    const jids = [...this.#byJid.values()].filter((m) => !m.leaving && !m.dead).map((m) => m.jid)
    if (!this.selfLeaving) jids.push(this.self())
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
