import type { XmlElement } from '../../xml.js'

/** What this process holds of the conversations it took from one leaving sibling. */
interface Handover {
  readonly conversations: ReadonlySet<string>
  readonly held: XmlElement[]
  readonly timer: NodeJS.Timeout
}

/**
 * The conversations this process took over from siblings that are leaving, while they may still be busy with
 * them. A leaving sibling finishes what reached it before its announcement, and this process owns what comes after:
 * were it to handle the next message of a conversation at once, both would run that conversation's handlers side by
 * side, and one save of its state would lose. So what comes in of a conversation the sibling had lately been given
 * waits here, in order, until the sibling is done (its session ended, or it was taken over), or at the latest its
 * shutdown deadline passed.
 */
export class Handovers {
  readonly #from = new Map<string, Handover>()

  /** @param release Handles what was held, in the order it came in. */
  constructor(private readonly release: (stanzas: readonly XmlElement[]) => void) {}

  /** A sibling said it leaves, having lately been given `conversations`: hold theirs for up to `ms`. */
  begin(jid: string, conversations: ReadonlySet<string>, ms: number): void {
    this.end(jid)
    if (conversations.size === 0) return
    const timer = setTimeout(() => this.end(jid), ms)
    timer.unref?.()
    this.#from.set(jid, { conversations, held: [], timer })
  }

  /** Whether a leaving sibling's conversations are held now. */
  get holding(): boolean {
    return this.#from.size > 0
  }

  /** Holds a stanza of a conversation a leaving sibling may still be busy with; false when there is none such. */
  hold(stanza: XmlElement, conversation: string): boolean {
    for (const handover of this.#from.values()) {
      if (handover.conversations.has(conversation)) {
        handover.held.push(stanza)
        return true
      }
    }
    return false
  }

  /** The sibling is done with what it had: what was held of its conversations is handled now. */
  end(jid: string): void {
    const handover = this.#from.get(jid)
    if (!handover) return
    this.#from.delete(jid)
    clearTimeout(handover.timer)
    if (handover.held.length > 0) this.release(handover.held)
  }

  /** Handles everything held now: this process stops, or starts over with a new session. */
  endAll(): void {
    for (const jid of [...this.#from.keys()]) this.end(jid)
  }
}
