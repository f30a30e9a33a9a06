import type { Member, Members } from './members.js'

/** What the watch reports to the formation, and how it pings. */
export interface WatchHooks {
  /** Pings a sibling; resolves once it answers, rejects when it does not within `timeout` ms. */
  ping(jid: string, timeout: number): Promise<unknown>
  /** A sibling answered a ping sent at `sent`. */
  answered(jid: string, sent: number, now: number): void
  /** A sibling that had shown it runs was silent for the takeover time. */
  silent(member: Member, now: number): void
  /** This process did not run from `since` until `now` (its event loop was blocked, or the whole process stopped). */
  stalled(since: number, now: number): void
  /** Every tick, for housekeeping. */
  tick(now: number): void
}

/**
 * Keeps an eye on the siblings: pings each one every tick (a fifth of the takeover time), and reports one
 * silent for the takeover time. It also keeps an eye on this process: a tick that comes much later than due
 * means the process itself did not run meanwhile (a stall: a blocking handler, a long GC, a starved CPU, a
 * SIGSTOP). Then the siblings' silence says nothing (their answers wait unread in the socket), so nobody is
 * declared dead; and the siblings may have taken this process's share over meanwhile, which the formation
 * must learn before it handles anything: the first inbound stanza after a stall is checked too, as it may
 * come before the late tick.
 */
export class SiblingWatch {
  readonly #pinging = new Set<string>()
  #timer: NodeJS.Timeout | undefined
  #lastTick = 0

  /** @param takeoverAfter The takeover time in ms, read when the watch starts. */
  constructor(
    private readonly members: Members,
    private readonly takeoverAfter: () => number,
    private readonly hooks: WatchHooks,
  ) {}

  /** The time between two ticks, in ms. */
  get tick(): number {
    return Math.max(200, this.takeoverAfter() / 5)
  }

  /**
   * A gap this long between ticks is a stall. Half the takeover time: a sibling takes a silent process's
   * share over after at least the takeover time less two ticks, so any stall that may have cost this
   * process its share is noticed, and a false alarm only makes the process join again.
   */
  get stallAfter(): number {
    return Math.max(2 * this.tick, this.takeoverAfter() / 2)
  }

  get running(): boolean {
    return this.#timer !== undefined
  }

  start(now: number): void {
    if (this.#timer) return
    this.#lastTick = now
    this.#timer = setInterval(() => this.#onTick(), this.tick)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** Whether this process was stalled since the last tick; reports it (once) when it was. Cheap: runs for every inbound stanza. */
  check(now: number): boolean {
    if (!this.#timer || now - this.#lastTick <= this.stallAfter) return false
    const since = this.#lastTick
    this.#lastTick = now
    this.refresh(now)
    this.hooks.stalled(since, now)
    return true
  }

  /** This process could not hear its siblings until now (stalled, offline): their silence so far says nothing. */
  refresh(now: number): void {
    for (const member of this.members.all()) member.heard = Math.max(member.heard, now)
  }

  /** Pings a sibling now, unless a ping to it is on its way; silence is judged by the tick. */
  ping(jid: string): void {
    if (this.#pinging.has(jid)) return
    this.#pinging.add(jid)
    const sent = performance.now()
    this.hooks
      .ping(jid, this.takeoverAfter())
      .then(
        () => this.hooks.answered(jid, sent, performance.now()),
        () => {},
      )
      .finally(() => this.#pinging.delete(jid))
  }

  #onTick(): void {
    const now = performance.now()
    if (this.check(now)) return
    this.#lastTick = now
    this.hooks.tick(now)
    const silence = this.takeoverAfter() - this.tick
    for (const member of this.members.all()) {
      if (member.confirmed && !member.dead && now - member.heard > silence) this.hooks.silent(member, now)
      this.ping(member.jid)
    }
  }
}
