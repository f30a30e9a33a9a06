import type { BotCore } from '../../bot/bot-core.js'

/** The longest delay one Node timer takes (about 24.8 days); longer waits are armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1

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
   * calls their `dropped`. A job that has started is waited for like a running handler.
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
      pending.delete(job)
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
      const jobs = [...pending].map((job) => ({ what: job.what, due: job.due.toISOString() }))
      bot.log.warn({ jobs }, `shutdown drops ${jobs.length} scheduled ${jobs.length === 1 ? 'job' : 'jobs'}: ${jobs.map((j) => j.what).join('; ')}`)
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

    return {
      schedule(delay, what, run, options = {}) {
        if (!Number.isFinite(delay) || delay < 0) throw new RangeError(`schedule "${what}": the delay must be a number of ms, 0 or more, not ${delay}`)
        const job: Job = {
          what,
          due: new Date(Date.now() + delay),
          run,
          dropped: options.dropped,
          timer: undefined,
          cancel: () => {
            clearTimeout(job.timer)
            return pending.delete(job)
          },
        }
        if (phase === 'running') {
          pending.add(job)
          arm(job, delay)
        } else if (phase === 'stopping') {
          // Dropped with the others, and told about at the end of the shutdown.
          pending.add(job)
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
