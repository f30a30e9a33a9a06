/**
 * What the siblings answered, from the carbons (XEP-0280) of what they sent: per sibling and conversation,
 * when a copy of what it sent there last came in. A sibling that dropped its share (it died, came back from a
 * stall, or left) answered what came in before its last word there; what came later is the others' to handle.
 */
export class Answers {
  readonly #lastSent = new Map<string, Map<string, number>>()

  /** @param maxAge How long an answer matters, in ms: as long as the backlog keeps what came in. */
  constructor(private readonly maxAge: () => number) {}

  /** A carbon of what `member` sent to `conversation` came in at `now` (`performance.now()`). */
  record(member: string, conversation: string, now: number): void {
    let sent = this.#lastSent.get(member)
    if (!sent) this.#lastSent.set(member, (sent = new Map()))
    sent.delete(conversation)
    sent.set(conversation, now)
  }

  /** Whether `member` sent something to `conversation` at or after `at`. */
  answered(member: string, conversation: string, at: number): boolean {
    return (this.#lastSent.get(member)?.get(conversation) ?? Number.NEGATIVE_INFINITY) >= at
  }

  /** Forgets what is older than what the backlog still holds; each map is in the order things were last sent. */
  prune(now: number): void {
    for (const [member, sent] of this.#lastSent) {
      for (const [conversation, at] of sent) {
        if (now - at <= this.maxAge()) break
        sent.delete(conversation)
      }
      if (sent.size === 0) this.#lastSent.delete(member)
    }
  }
}
