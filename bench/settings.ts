// How much a benchmark run measures. The full run takes about four minutes on a 2-core machine.

export interface BenchSettings {
  /** Rounds; each round measures the ceiling and every bot once, in a rotating order. */
  readonly rounds: number
  /** Connections sending load; each has its share of the window. */
  readonly senders: number
  /** Messages in flight at once during the throughput run. */
  readonly window: number
  /** Messages per throughput run. */
  readonly messages: number
  /** Upper bound on one throughput run's sending, in ms. */
  readonly maxMs: number
  /** Answers missing for this long are counted lost, in ms. */
  readonly stallMs: number
  /** Messages echoed before measuring, so that every runtime has compiled its hot paths. */
  readonly warmup: number
  /** Round trips timed one at a time, per round. */
  readonly roundTrips: number
  /** How long a bot sits idle after coming online before its memory is read, in ms. */
  readonly idleMs: number
  /** Messages per paced run, sent one at a time at `pacedRate`. */
  readonly pacedMessages: number
  /** Messages per second in the paced run. */
  readonly pacedRate: number
}

export const FULL: BenchSettings = {
  rounds: 5,
  senders: 4,
  window: 200,
  messages: 20_000,
  maxMs: 8_000,
  stallMs: 2_000,
  warmup: 2_000,
  roundTrips: 2_000,
  idleMs: 1_000,
  pacedMessages: 1_500,
  pacedRate: 200,
}

/** A smoke run, to check that everything works. */
export const QUICK: BenchSettings = {
  ...FULL,
  rounds: 1,
  messages: 2_000,
  warmup: 500,
  roundTrips: 200,
  idleMs: 500,
  pacedMessages: 400,
}
