/** The most replies kept per sibling and conversation: far more than one conversation gets within the backlog's age. */
const MAX_PER_CONVERSATION = 256

/** Whether a sibling answered a stanza of a conversation that came in at `at`; asked in arrival order. */
export type AnsweredCheck = (conversation: string, at: number) => boolean

/**
 * What the siblings answered, from the carbons (XEP-0280) of what they sent: per sibling and conversation,
 * when each copy of what it sent there came in. A sibling that dropped its share (it died, came back from a
 * stall, or left) answered a stanza if something it sent there came in after it; one thing sent answers at
 * most one stanza, the earliest it came after, since one conversation's stanzas are handled in order. (Any
 * later carbon counted for every earlier stanza: a conversation whose messages queued behind a slow handler
 * lost all that queued when its process died.)
 */
export class Answers {
  readonly #sent = new Map<string, Map<string, number[]>>()

  /** @param maxAge How long an answer matters, in ms: as long as the backlog keeps what came in. */
  constructor(private readonly maxAge: () => number) {}

  /** A carbon of what `member` sent to `conversation` came in at `now` (`performance.now()`). */
  record(member: string, conversation: string, now: number): void {
    let sent = this.#sent.get(member)
    if (!sent) this.#sent.set(member, (sent = new Map()))
    const times = sent.get(conversation) ?? []
    // Re-inserted, so that each map stays in the order things were last sent (see prune).
    sent.delete(conversation)
    sent.set(conversation, times)
    times.push(now)
    if (times.length > MAX_PER_CONVERSATION) times.shift()
  }

  /**
   * Tells, for the stanzas of `member`'s conversations asked about in arrival order, whether it answered each:
   * each thing it sent is matched to the earliest stanza it came after that no earlier thing answered.
   */
  answeredBy(member: string): AnsweredCheck {
    const used = new Map<string, number>()
    const sent = this.#sent.get(member)
    return (conversation, at) => {
      const times = sent?.get(conversation)
      if (!times) return false
      let next = used.get(conversation) ?? 0
      while (next < times.length && (times[next] as number) < at) next++
      const answered = next < times.length
      used.set(conversation, answered ? next + 1 : next)
      return answered
    }
  }

  /** Whether `member` sent anything to `conversation` lately (as long as the backlog keeps what came in). */
  replies(member: string, conversation: string): boolean {
    return this.#sent.get(member)?.has(conversation) === true
  }

  /** Forgets what is older than what the backlog still holds; each map is in the order things were last sent. */
  prune(now: number): void {
    for (const [member, sent] of this.#sent) {
      for (const [conversation, times] of sent) {
        if (now - (times.at(-1) ?? 0) <= this.maxAge()) break
        sent.delete(conversation)
      }
      if (sent.size === 0) this.#sent.delete(member)
    }
  }
}
