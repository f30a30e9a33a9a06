/** When to ping and when to give up on the link, in ms. */
export interface LivenessOptions {
  /** How long the link may stay quiet before the bot pings its server. */
  interval: number
  /** How long to wait, after a ping, for anything at all to come back. */
  timeout: number
}

/** What the check needs from the connection. */
export interface Probe {
  /** When something last came in from the server, as `performance.now()`. */
  readonly lastActivity: number
  /** Sends a ping (XEP-0199) to the server. */
  ping(): void
}

/**
 * Notices a dead link: after `interval` ms with nothing from the server it pings, and if nothing
 * comes back within `timeout` ms it calls `onDead`. Any inbound traffic counts as an answer, so a
 * busy link is never pinged, and the check works with or without stream management.
 */
export class Liveness {
  #timer: NodeJS.Timeout | undefined
  /** When the unanswered ping went out; undefined while none is pending. */
  #pingedAt: number | undefined

  constructor(
    private readonly options: LivenessOptions,
    private readonly probe: Probe,
    private readonly onDead: () => void,
  ) {}

  /** Starts watching a link that just came up. */
  start(): void {
    this.stop()
    this.#schedule(this.options.interval)
  }

  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#pingedAt = undefined
  }

  // One timer at a time, rescheduled from the last activity, so the check costs nothing per stanza.
  #check(): void {
    const now = performance.now()
    const quiet = now - this.probe.lastActivity
    if (this.#pingedAt !== undefined) {
      if (this.probe.lastActivity >= this.#pingedAt) {
        this.#pingedAt = undefined
      } else if (now - this.#pingedAt >= this.options.timeout) {
        this.stop()
        this.onDead()
        return
      } else {
        this.#schedule(this.#pingedAt + this.options.timeout - now)
        return
      }
    }
    if (quiet >= this.options.interval) {
      this.#pingedAt = now
      this.probe.ping()
      this.#schedule(this.options.timeout)
    } else {
      this.#schedule(this.options.interval - quiet)
    }
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => this.#check(), Math.max(1, Math.ceil(ms))).unref()
  }
}
