import type { XmlElement } from '../../xml.js'
import type { AnsweredCheck } from './answers.js'
import { type MemberState, ownerAmong } from './members.js'

/** Where a sibling stands at a point of the window: as its presence says, or `dead` (silent), or `gone` (unavailable). */
export type WindowState = MemberState | 'dead' | 'gone'

type Event =
  | { readonly kind: 'stanza'; readonly stanza: XmlElement; readonly key: string; readonly at: number }
  | { readonly kind: 'state'; readonly jid: string; readonly state: WindowState }
  | { readonly kind: 'dropped'; readonly jid: string; readonly cut: number; readonly at: number }

/** What the window needs to know of the siblings once it closes. */
export interface WindowView {
  /** Whether the sibling showed, by now, that it runs: one that never did is the lingering session of a killed process. */
  confirmed(jid: string): boolean
  /** Whether the sibling answered each stanza, asked in arrival order (carbons of what it sent). */
  answeredBy(jid: string): AnsweredCheck
}

/** A stanza held while joining, with the member it turned out to be up to, and since when. */
export interface Settled {
  readonly stanza: XmlElement
  readonly key: string
  readonly owner: string
  readonly since: number
}

/**
 * What a process gets while it learns its siblings and takes no work (its presence says `joining`): just
 * online, or back after a stall or a lost session. Each stanza is up to the siblings that took work when it came
 * in, which the window replays in the order things came in once it closes, when it knows which siblings really
 * run. A sibling first heard of late as `active` (ejabberd sends the siblings' presences as answers to a probe,
 * maybe after the first messages) stood so all along; one first heard of as `joining` counts from there on only,
 * as it may have come online just then. When no sibling took work (every process came back at once, as after
 * the server's restart), the stanza is up to one of those joining, this process included. A sibling that dropped
 * what it had (it came back from a stall, it died) hands on what it had not answered to those taking work then.
 */
export class JoinWindow {
  readonly #events: Event[] = []
  readonly #firstHeard = new Map<string, WindowState>()

  /**
   * @param self This process's full JID.
   * @param atStart The siblings known when the window opened, and where each stood.
   */
  constructor(
    private readonly self: string,
    private readonly atStart: ReadonlyMap<string, WindowState>,
  ) {}

  hold(stanza: XmlElement, key: string, at: number): void {
    this.#events.push({ kind: 'stanza', stanza, key, at })
  }

  /** A sibling's presence came in, or it was found dead. */
  heard(jid: string, state: WindowState): void {
    if (!this.atStart.has(jid) && !this.#firstHeard.has(jid)) this.#firstHeard.set(jid, state)
    this.#events.push({ kind: 'state', jid, state })
  }

  /** A sibling dropped what it had not handled from `cut` on (both as `performance.now()`, `at` being now). */
  dropped(jid: string, cut: number, at: number): void {
    this.#events.push({ kind: 'dropped', jid, cut, at })
  }

  /** Each stanza held, in arrival order, with the member it is up to. */
  settle(view: WindowView): Settled[] {
    const states = new Map(this.atStart)
    for (const [jid, state] of this.#firstHeard) if (state === 'active') states.set(jid, state)
    const settled: Array<{ stanza: XmlElement; key: string; owner: string; since: number; at: number }> = []
    for (const event of this.#events) {
      if (event.kind === 'state') states.set(event.jid, event.state)
      else if (event.kind === 'stanza') settled.push({ ...event, owner: this.#owner(event.key, states, view), since: event.at })
      else {
        const answered = view.answeredBy(event.jid)
        for (const item of settled) {
          if (item.owner !== event.jid || answered(item.key, item.at) || item.at < event.cut) continue
          item.owner = this.#owner(item.key, states, view)
          item.since = event.at
        }
      }
    }
    return settled.map(({ stanza, key, owner, since }) => ({ stanza, key, owner, since }))
  }

  #owner(key: string, states: ReadonlyMap<string, WindowState>, view: WindowView): string {
    const counted = (wanted: WindowState) => [...states].filter(([jid, state]) => state === wanted && view.confirmed(jid)).map(([jid]) => jid)
    const active = counted('active')
    if (active.length > 0) return ownerAmong(key, active)
    return ownerAmong(key, [...counted('joining'), this.self])
  }
}
