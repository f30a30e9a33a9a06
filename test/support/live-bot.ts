// An echo bot run inside the test process, with its lifecycle events and log lines recorded, for tests that
// break its link and watch what it does about it.
import { Writable } from 'node:stream'
import { type Bot, type BotEvents, type BotOptions, createBot } from 'natter'
import { waitUntil } from '../../tools/wait-until.js'

export interface Recorded<E extends keyof BotEvents = keyof BotEvents> {
  readonly event: E
  readonly info: BotEvents[E]
  /** performance.now() when it was emitted. */
  readonly at: number
}

export interface LiveBot {
  readonly bot: Bot
  readonly events: readonly Recorded[]
  /** Every log line so far, parsed. */
  logs(): Record<string, unknown>[]
  /**
   * Resolves with the first `event` at index `from` or later in `events` for which `pred` holds; pass
   * `events.length` taken before causing it, so that an event that came early is not missed.
   */
  waitEvent<E extends keyof BotEvents>(event: E, from: number, pred?: (info: BotEvents[E]) => boolean, ms?: number): Promise<Recorded<E>>
  /** How many times `event` was emitted from index `from` on. */
  count(event: keyof BotEvents, from?: number): number
}

/**
 * Creates an echo bot ("You said: <body>") with settings from `options` only (never the environment),
 * records what it emits and logs, and starts it. Stop it with `bot.stop()`.
 */
export async function startLiveBot(options: BotOptions, setup: (bot: Bot) => void = echo): Promise<LiveBot> {
  const events: Recorded[] = []
  const lines: string[] = []
  const waiters = new Set<() => void>()
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l.startsWith('{')),
      )
      done()
    },
  })
  const bot = createBot({ env: {}, logLevel: 'info', logDestination, ...options })
  for (const event of ['ready', 'disconnected', 'reconnecting', 'error', 'undelivered'] as const) {
    bot.on(event, (info) => {
      events.push({ event, info, at: performance.now() } as Recorded)
      for (const wake of waiters) wake()
    })
  }
  setup(bot)
  await bot.start()

  return {
    bot,
    events,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    count: (event, from = 0) => events.slice(from).filter((e) => e.event === event).length,
    waitEvent(event, from, pred = () => true, ms = 15_000) {
      type R = Recorded<typeof event>
      const find = (): R | undefined => events.slice(from).find((e): e is R => e.event === event && pred((e as R).info))
      return waitUntil(waiters, find, ms, () => `no "${event}" event within ${ms} ms; events: ${events.map((e) => e.event).join(', ')}`)
    },
  }
}

function echo(bot: Bot): void {
  bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
}
