import { JoinWindow, type WindowState } from './join-window.js'

/** How long a process waits for one of its own presences to come back from the server. */
export const ANNOUNCE_WAIT_MS = 2_000
/**
 * How long a process that has just come online learns its siblings before it takes work: their presences
 * come in after its own came back (ejabberd sends them as answers to a probe).
 */
export const JOIN_SETTLE_MS = 1_000
/**
 * How long, from its presence's return, a joining process waits at most for the siblings it heard of to answer a
 * ping: one that has not by then is taken for the lingering session of a killed process until it does.
 */
const JOIN_CONFIRM_MS = 2_000
/** How long a stopping process waits for a sibling that is joining to take work, so as to hand over to it. */
export const JOINER_WAIT_MS = JOIN_CONFIRM_MS + 2 * ANNOUNCE_WAIT_MS

/** What the join phase asks of the formation. */
export interface JoinPhaseHooks {
  /** Whether a sibling heard of, neither leaving nor dead, has not yet shown it runs. */
  waiting(): boolean
  /** Sends the process's presence, which now says `active`. */
  announce(): void
  /** Its `active` presence did not come back: it takes work all the same. */
  end(): void
}

/**
 * The phase in which a process takes no work while it learns its siblings: from its `joining` presence (a fresh
 * session, or back after a stall or a lost session) to the return of its `active` one. It says `active` once its
 * presence has been back for a second and every sibling it heard of has answered a ping, or two seconds have
 * passed: a sibling silent that long counts for a lingering session until it answers. Should a presence of its
 * own never come back, it goes on a little later instead of never.
 */
export class JoinPhase {
  /** What came in meanwhile, and what the siblings did. */
  readonly window: JoinWindow
  /** Siblings that had shown they run and left during the phase: they still count in its window. */
  readonly confirmedGone = new Set<string>()
  /** It has said `active`. */
  announcing = false
  #echoed = false
  #settled = false
  #confirmBy = Number.POSITIVE_INFINITY
  #timer: NodeJS.Timeout | undefined

  /**
   * @param self This process's full JID.
   * @param atStart The siblings known as the phase begins, and where each stands.
   * @param since For a process that took work before: from when it handled nothing, as epoch ms.
   */
  constructor(
    self: string,
    atStart: ReadonlyMap<string, WindowState>,
    readonly since: number | undefined,
    private readonly hooks: JoinPhaseHooks,
  ) {
    this.window = new JoinWindow(self, atStart)
    this.#wait(ANNOUNCE_WAIT_MS + JOIN_SETTLE_MS, () => {
      this.#settled = true
      this.#confirmBy = 0
      this.update()
    })
  }

  /** Whether its `joining` presence has come back from the server. */
  get echoed(): boolean {
    return this.#echoed
  }

  /** Its `joining` presence came back: the siblings know, and it learns them from now on. */
  echo(now: number): void {
    this.#echoed = true
    this.#confirmBy = now + JOIN_CONFIRM_MS
    this.#wait(JOIN_SETTLE_MS, () => {
      this.#settled = true
      this.update()
    })
  }

  /** Says `active` if it is time to: call it whenever a sibling showed it runs. */
  update(): void {
    if (!this.#settled || this.announcing) return
    const now = performance.now()
    if (this.hooks.waiting() && now < this.#confirmBy) {
      this.#wait(this.#confirmBy - now, () => {
        this.#confirmBy = 0
        this.update()
      })
      return
    }
    this.announcing = true
    this.#wait(ANNOUNCE_WAIT_MS, () => this.hooks.end())
    this.hooks.announce()
  }

  /** The phase is over. */
  cancel(): void {
    clearTimeout(this.#timer)
  }

  #wait(ms: number, then: () => void): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(then, ms)
  }
}
