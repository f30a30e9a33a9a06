import type { XmlElement } from '../../xml.js'

/** A stanza that came in while joining, and how many sibling presences had come in before it. */
interface Waiting {
  readonly stanza: XmlElement
  readonly key: string
  readonly after: number
}

/**
 * What a process that has just come online gets while it learns its siblings and takes no work (its presence
 * says `joining`): each stanza is the siblings' that took work when it came in. The process hears of a
 * sibling only when the sibling's presence comes in, which on ejabberd (an answer to a probe) may be after
 * the first messages: a sibling first heard of late stood all along as it was first heard of, and a change
 * heard of later (`active` after `joining`, leaving, gone) counts from where it came in, as for the others.
 */
export class JoinWindow {
  readonly #waiting: Waiting[] = []
  readonly #heard: Array<{ readonly jid: string; readonly active: boolean }> = []

  /** @param atStart The siblings known when the window opened, and whether each takes work. */
  constructor(private readonly atStart: ReadonlyMap<string, boolean>) {}

  hold(stanza: XmlElement, key: string): void {
    this.#waiting.push({ stanza, key, after: this.#heard.length })
  }

  /** A sibling's presence came in: it takes work (`active`), or not (leaving, gone). */
  heard(jid: string, active: boolean): void {
    this.#heard.push({ jid, active })
  }

  /** Each stanza held, with the siblings that took work when it came in. */
  *held(): Generator<{ stanza: XmlElement; key: string; siblings: string[] }> {
    const jids = new Set([...this.atStart.keys(), ...this.#heard.map((h) => h.jid)])
    for (const { stanza, key, after } of this.#waiting) {
      const siblings = [...jids].filter((jid) => this.#activeAt(jid, after))
      yield { stanza, key, siblings }
    }
  }

  /** Whether `jid` took work once `after` presences had come in. */
  #activeAt(jid: string, after: number): boolean {
    for (let i = after - 1; i >= 0; i--) {
      const h = this.#heard[i] as { jid: string; active: boolean }
      if (h.jid === jid) return h.active
    }
    const known = this.atStart.get(jid)
    if (known !== undefined) return known
    return this.#heard.find((h, i) => i >= after && h.jid === jid)?.active ?? false
  }
}
