import type { BotCore } from '../../bot/bot-core.js'

/** The longest delay one Node timer takes (about 24.8 days); longer waits are armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * What `bot.schedule()` holds at most, in jobs and in characters of their `what`: for one sender (the
 * option `for`) and in all. A job's work lives in a closure natter cannot weigh; `what` says what it
 * is, and a reminder's text with it, so its length stands for the job's size.
 *
 * @example
 * ```ts
 * if (bot.scheduled().length >= SCHEDULE_BOUNDS.total.jobs) return cmd.reply('Too busy for reminders now.')
 * ```
 */
export const SCHEDULE_BOUNDS = {
  perSender: { jobs: 100, chars: 2 ** 20 },
  total: { jobs: 10_000, chars: 32 * 2 ** 20 },
} as const

/** What the shutdown's log line shows of each dropped job, at most. */
const LOGGED_WHAT = 200
/** Dropped jobs named one by one in the shutdown's log line, at most. */
const LOGGED_JOBS = 20

/**
 * Work the bot will do later, as `bot.schedule()` returns it.
 *
 * @example
 * ```ts
 * const job = bot.schedule(60_000, 'stand-up reminder', () => bot.rooms.say(team, 'Stand-up!'))
 * job.cancel()
 * ```
 */
export interface ScheduledJob {
  /** What the job is, in the words logged when a shutdown drops it. */
  readonly what: string
  /** When it is due. */
  readonly due: Date
  /** Cancels the job; false when it already ran, was cancelled, or was dropped by a shutdown. */
  cancel(): boolean
}

/**
 * What to do with a scheduled job besides running it.
 *
 * @example
 * ```ts
 * bot.schedule(ms, 'report', sendReport, { dropped: () => saveForNextStart('report') } satisfies ScheduleOptions)
 * ```
 */
export interface ScheduleOptions {
  /**
   * Called when a shutdown drops the job before it ran, while the bot is still online: tell someone,
   * or save the job for the next start.
   */
  dropped?: () => unknown
  /**
   * Whom the job is for (e.g. the JID that asked for a reminder): one sender may have at most
   * {@link SCHEDULE_BOUNDS}`.perSender` jobs waiting, so that nobody can fill the bot's memory with them.
   */
  for?: string
}

/**
 * What scheduling adds to a bot.
 *
 * @example
 * ```ts
 * function reminders(bot: BotCore & ScheduleFeature): void { bot.schedule(1_000, 'tick', () => bot.log.info('tick')) }
 * ```
 */
export interface ScheduleFeature {
  /**
   * Runs `run` in `delay` ms, without holding the process: the timer keeps nothing alive and a
   * shutdown does not wait for it. A shutdown drops the jobs not yet due, logs them by `what`, and
   * calls their `dropped`. A job that has started is waited for like a running handler. Throws a
   * `RangeError` when the jobs waiting, for `options.for` or in all, would exceed
   * {@link SCHEDULE_BOUNDS} in number or in the length of their `what`.
   *
   * @example
   * ```ts
   * bot.command('remind <seconds> <text...>', 'Reminds you', (cmd) => {
   *   bot.schedule(Number(cmd.args.seconds) * 1000, `reminder for ${cmd.from}`, () => cmd.reply(cmd.args.text), {
   *     dropped: () => cmd.reply(`I am restarting and lost your reminder: ${cmd.args.text}`),
   *   })
   *   return cmd.reply('OK')
   * })
   * ```
   */
  schedule(delay: number, what: string, run: () => unknown, options?: ScheduleOptions): ScheduledJob

  /**
   * The jobs not yet run: while the bot runs, those waiting; during a shutdown, those it drops
   * (an `onShutdown` hook can save them).
   *
   * @example
   * ```ts
   * bot.onShutdown(() => saveJobs(bot.scheduled().map((job) => ({ what: job.what, due: job.due }))))
   * ```
   */
  scheduled(): ScheduledJob[]
}

interface Job extends ScheduledJob {
  readonly for: string | undefined
  readonly run: () => unknown
  readonly dropped: (() => unknown) | undefined
  timer: NodeJS.Timeout | undefined
}

/**
 * Work for later (`bot.schedule()`), such as reminders, that neither holds up a shutdown nor goes
 * missing without a word: when the bot stops, the jobs not yet due are dropped, logged by name, and
 * their `dropped` callbacks run while the bot is still online. `createBot()` installs it.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(schedule())
 * bot.schedule(5_000, 'hello', () => bot.say('alice@example.org', 'hello'))
 * ```
 */
export function schedule(): (bot: BotCore) => ScheduleFeature {
  return (bot) => {
    const pending = new Set<Job>()
    let phase: 'running' | 'stopping' | 'stopped' = 'running'

    const fire = (job: Job): void => {
      forget(job)
      job.timer = undefined
      bot.track(Promise.resolve().then(job.run)).catch((e: unknown) => bot.log.error({ err: e, job: job.what }, 'scheduled job failed'))
    }
    // Counted down by the timers themselves, not by the clock, so that fake timers drive it whole.
    const arm = (job: Job, left: number): void => {
      const step = Math.min(left, MAX_TIMER_MS)
      // Never what keeps the process alive: a bot with nothing else to do may exit, and SIGTERM does not wait.
      job.timer = setTimeout(() => (left > step ? arm(job, left - step) : fire(job)), step).unref()
    }

    bot.onStopping(() => {
      phase = 'stopping'
      for (const job of pending) clearTimeout(job.timer)
      if (pending.size === 0) return
      // Cut short: the jobs may be many and their texts long, and this is one log line.
      const jobs = [...pending].slice(0, LOGGED_JOBS).map((job) => ({ what: job.what.slice(0, LOGGED_WHAT), due: job.due.toISOString() }))
      const more = pending.size > jobs.length ? `; and ${pending.size - jobs.length} more` : ''
      bot.log.warn({ jobs }, `shutdown drops ${pending.size} scheduled ${pending.size === 1 ? 'job' : 'jobs'}: ${jobs.map((j) => j.what).join('; ')}${more}`)
    })
    bot.onShutdown(async () => {
      const dropped = [...pending]
      await Promise.all(
        dropped.map((job) =>
          Promise.resolve()
            .then(job.dropped)
            .catch((e: unknown) => bot.log.error({ err: e, job: job.what }, 'dropped-job callback failed')),
        ),
      )
      phase = 'stopped'
    })

    const held = { jobs: 0, chars: 0 }
    const heldFor = new Map<string, { jobs: number; chars: number }>()
    /** Counts a job in or out of the bounds. */
    const count = (job: Job, sign: 1 | -1): void => {
      held.jobs += sign
      held.chars += sign * job.what.length
      if (job.for === undefined) return
      const mine = heldFor.get(job.for) ?? { jobs: 0, chars: 0 }
      mine.jobs += sign
      mine.chars += sign * job.what.length
      if (mine.jobs === 0) heldFor.delete(job.for)
      else heldFor.set(job.for, mine)
    }
    const admit = (what: string, key: string | undefined): void => {
      const mine = key === undefined ? undefined : (heldFor.get(key) ?? { jobs: 0, chars: 0 })
      const { perSender, total } = SCHEDULE_BOUNDS
      if (mine && (mine.jobs + 1 > perSender.jobs || mine.chars + what.length > perSender.chars))
        throw new RangeError(`schedule: ${key} already has ${mine.jobs} jobs waiting (at most ${perSender.jobs}, of ${perSender.chars} characters in all)`)
      if (held.jobs + 1 > total.jobs || held.chars + what.length > total.chars)
        throw new RangeError(`schedule: the bot already has ${held.jobs} jobs waiting (at most ${total.jobs}, of ${total.chars} characters in all)`)
    }
    const forget = (job: Job): boolean => {
      if (!pending.delete(job)) return false
      count(job, -1)
      return true
    }

    return {
      schedule(delay, what, run, options = {}) {
        if (!Number.isFinite(delay) || delay < 0) throw new RangeError(`schedule "${what}": the delay must be a number of ms, 0 or more, not ${delay}`)
        if (phase === 'running') admit(what, options.for)
        const job: Job = {
          for: options.for,
          what,
          due: new Date(Date.now() + delay),
          run,
          dropped: options.dropped,
          timer: undefined,
          cancel: () => {
            clearTimeout(job.timer)
            return forget(job)
          },
        }
        if (phase === 'running') {
          pending.add(job)
          count(job, 1)
          arm(job, delay)
        } else if (phase === 'stopping') {
          // Dropped with the others, and told about at the end of the shutdown.
          pending.add(job)
          count(job, 1)
          bot.log.warn({ job: what }, `shutdown drops a job scheduled while stopping: ${what}`)
        } else {
          bot.log.warn({ job: what }, `not scheduled, the bot has stopped: ${what}`)
        }
        return job
      },
      scheduled: () => [...pending],
    }
  }
}
