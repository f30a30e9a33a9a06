/**
 * How many stanzas wait to go out, as `bot.queues` tells.
 *
 * @example
 * ```ts
 * const { outbox, writes }: Queues = bot.queues
 * ```
 */
export interface Queues {
  /** Sent while the link was down, waiting for it to come back. */
  readonly outbox: number
  /** Written while the link is up, waiting for their turn (the server reads slower, or `XMPP_SEND_RATE`). */
  readonly writes: number
}

/** Nothing waiting: a bot that is not started. */
export const NO_QUEUES: Queues = { outbox: 0, writes: 0 }
