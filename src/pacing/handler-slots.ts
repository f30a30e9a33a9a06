/** How many handlers may run at once, and how much may wait for one to finish. */
export interface SlotLimits {
  /** Handlers running at once for one key (sender). */
  readonly perKey: number
  /** Handlers running at once over all keys. */
  readonly total: number
  /** Of `total`, the slots only trusted keys may take; also the same share of the waiting line's bounds. */
  readonly reserved: number
  /** Stanzas of one key waiting for a slot. */
  readonly queuePerKey: number
  /** Stanzas waiting for a slot over all keys. */
  readonly queueTotal: number
  /** Bytes of one key's stanzas waiting for a slot. */
  readonly queueBytesPerKey: number
  /** Bytes of the stanzas waiting for a slot over all keys. */
  readonly queueBytesTotal: number
}

/** Who asks for a slot, as {@link HandlerSlots.enter} takes it. */
export interface Entrant {
  /** A roster contact or an admin, rather than a stranger: may use the reserved slots. */
  readonly trusted: boolean
  /** What the stanza holds in memory while it waits. */
  readonly bytes: number
}

interface Waiting {
  readonly bytes: number
  readonly start: () => void
}

/** One key's state while it has a handler running or a stanza waiting. */
interface KeyState {
  readonly trusted: boolean
  running: number
  readonly line: Waiting[]
  bytes: number
}

/** Counts of one class of keys (trusted or strangers). */
interface Tally {
  running: number
  waiting: number
  bytes: number
}

/**
 * Bounds the handlers running at once, per sender and overall, and serves the senders fairly. A
 * stanza that finds no free slot waits in its sender's own line; when a slot comes free the lines
 * are served in turn, one stanza each, so a crowd of flooding senders delays another sender by one
 * turn of the crowd, not by all it sent. Trusted senders (roster contacts, admins) have slots and a
 * share of the line that strangers cannot take. Waiting is bounded in stanzas and bytes, per sender
 * and overall; beyond that a stanza is refused. One sender's stanzas start in the order they came.
 *
 * @example
 * ```ts
 * const slots = new HandlerSlots({ perKey: 4, total: 64, reserved: 16, queuePerKey: 8, queueTotal: 256, queueBytesPerKey: 2 ** 20, queueBytesTotal: 2 ** 24 })
 * const entry = slots.enter(sender, { trusted: false, bytes: 300 })
 * if (entry === false) return refuse()
 * if (entry !== true) await entry
 * try { await next() } finally { slots.leave(sender) }
 * ```
 */
export class HandlerSlots {
  readonly #keys = new Map<string, KeyState>()
  /** Keys with a stanza waiting, in the order their turn comes. */
  readonly #turns = new Set<string>()
  readonly #trusted: Tally = { running: 0, waiting: 0, bytes: 0 }
  readonly #strangers: Tally = { running: 0, waiting: 0, bytes: 0 }
  /** What strangers may hold at most: the bounds less the trusted senders' share. */
  readonly #strangerBounds: { running: number; waiting: number; bytes: number }

  constructor(private readonly limits: SlotLimits) {
    const share = limits.total > 0 ? Math.max(0, limits.total - limits.reserved) / limits.total : 0
    this.#strangerBounds = {
      running: Math.max(0, limits.total - limits.reserved),
      waiting: Math.floor(limits.queueTotal * share),
      bytes: Math.floor(limits.queueBytesTotal * share),
    }
  }

  /** Handlers running now, over all keys. */
  get running(): number {
    return this.#trusted.running + this.#strangers.running
  }

  /** Stanzas waiting for a slot now, over all keys. */
  get waiting(): number {
    return this.#trusted.waiting + this.#strangers.waiting
  }

  /** Bytes of the stanzas waiting for a slot now. */
  get waitingBytes(): number {
    return this.#trusted.bytes + this.#strangers.bytes
  }

  /**
   * Takes a slot for `key`: true when the handler may run now, a promise that resolves once it may,
   * or false when its line is full. Every true, and every promise once resolved, must be paired with
   * {@link HandlerSlots.leave}. A key keeps the class it had when it came, while it has anything
   * running or waiting.
   */
  enter(key: string, entrant: Entrant): boolean | Promise<void> {
    const state = this.#keys.get(key) ?? { trusted: entrant.trusted, running: 0, line: [], bytes: 0 }
    this.#keys.set(key, state)
    // Nothing overtakes what of its own sender already waits.
    if (state.line.length === 0 && this.#free(state)) {
      this.#start(state)
      return true
    }
    if (!this.#roomInLine(state, entrant.bytes)) {
      if (state.running === 0 && state.line.length === 0) this.#keys.delete(key)
      return false
    }
    const tally = this.#tally(state)
    tally.waiting += 1
    tally.bytes += entrant.bytes
    state.bytes += entrant.bytes
    this.#turns.add(key)
    return new Promise((start) => state.line.push({ bytes: entrant.bytes, start }))
  }

  /** Gives back the slot of a handler of `key` that is done, to the next line whose turn it is and that may have it. */
  leave(key: string): void {
    const state = this.#keys.get(key)
    if (state === undefined || state.running === 0) return
    state.running -= 1
    this.#tally(state).running -= 1
    this.#forget(key, state)
    // One slot came free, so at most one waiting stanza can start.
    for (const next of this.#turns) {
      const waiting = this.#keys.get(next) as KeyState
      if (!this.#free(waiting)) continue
      const first = waiting.line.shift() as Waiting
      const tally = this.#tally(waiting)
      tally.waiting -= 1
      tally.bytes -= first.bytes
      waiting.bytes -= first.bytes
      // Served: its next stanza waits for every other line's turn.
      this.#turns.delete(next)
      if (waiting.line.length > 0) this.#turns.add(next)
      this.#start(waiting)
      first.start()
      return
    }
  }

  #tally(state: KeyState): Tally {
    return state.trusted ? this.#trusted : this.#strangers
  }

  #free(state: KeyState): boolean {
    if (state.running >= this.limits.perKey || this.running >= this.limits.total) return false
    return state.trusted || this.#strangers.running < this.#strangerBounds.running
  }

  #roomInLine(state: KeyState, bytes: number): boolean {
    if (state.line.length >= this.limits.queuePerKey || state.bytes + bytes > this.limits.queueBytesPerKey) return false
    if (this.waiting >= this.limits.queueTotal || this.waitingBytes + bytes > this.limits.queueBytesTotal) return false
    if (state.trusted) return true
    return this.#strangers.waiting < this.#strangerBounds.waiting && this.#strangers.bytes + bytes <= this.#strangerBounds.bytes
  }

  #start(state: KeyState): void {
    state.running += 1
    this.#tally(state).running += 1
  }

  #forget(key: string, state: KeyState): void {
    if (state.running === 0 && state.line.length === 0) this.#keys.delete(key)
  }
}
