import { randomBytes } from 'node:crypto'
import type { BotCore } from '../../bot/bot-core.js'
import type { FormationFeature } from '../formation/formation.js'
import { natterNamespace, type Store, type StoreFeature } from '../store/store.js'

/** The longest delay one Node timer takes (about 24.8 days); longer waits are armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1
/** How often a process reads the jobs again, to find those scheduled by the others or left by one that died. */
const RESCAN_MS = 60_000
/** How long after its due time a process that does not own a job's conversation runs it, should its owner not. */
const GRACE_MS = 30_000
/** A job claimed this long ago by a process no longer in the formation is taken to have died with it. */
const STALE_CLAIM_MS = 30_000

/**
 * What the store may hold of durable jobs, in jobs and in characters of their data as JSON: per
 * conversation (the option `conversation`, e.g. the sender who asked) and in all. `bot.jobs.schedule()`
 * refuses a job beyond them with a `RangeError`.
 *
 * @example
 * ```ts
 * if (JSON.stringify(data).length > JOBS_BOUNDS.perConversation.chars) return cmd.reply('That is too long to remember.')
 * ```
 */
export const JOBS_BOUNDS = {
  perConversation: { jobs: 100, chars: 2 ** 20 },
  total: { jobs: 10_000, chars: 64 * 2 ** 20 },
} as const

/** What one job in the store counts against the bounds. */
interface Weight {
  readonly conversation: string | undefined
  readonly chars: number
}

/**
 * A durable job as its handler gets it.
 *
 * @example
 * ```ts
 * bot.jobs.define<{ to: string; text: string }>('reminder', (job) => bot.say(job.data.to, `⏰ ${job.data.text} (${Math.round(job.late / 1000)} s late)`))
 * ```
 */
export interface Job<D> {
  readonly id: string
  readonly kind: string
  readonly data: D
  readonly due: Date
  /** How long after its due time it runs, in ms: more than a moment when no process ran at that time. */
  readonly late: number
  /** The conversation it belongs to (a contact's or a room's bare JID), whose owner runs it. */
  readonly conversation: string | undefined
  /** 1 the first time; 2 when a process that had started it died first. */
  readonly attempt: number
}

/**
 * When a job is due and what it belongs to.
 *
 * @example
 * ```ts
 * await bot.jobs.schedule('reminder', data, { in: 60_000, conversation: 'alice@example.org' } satisfies JobOptions)
 * ```
 */
export interface JobOptions {
  /** Due in this many ms. */
  in?: number
  /** Due at this time. */
  at?: Date
  /** The conversation it belongs to: the formation member that owns it runs it. */
  conversation?: string
}

/** A job as the store keeps it. */
interface JobRecord {
  kind: string
  data: unknown
  due: number
  conversation?: string
  attempt: number
  claim?: { by: string; at: number; token: string }
}

/**
 * Durable jobs: work for later kept in the bot's store (namespace `natter.jobs`), so that it survives
 * SIGTERM, restarts, deploys and handovers. Each kind's handler is defined at start; a due job runs
 * once, by the process that owns its conversation (another runs it 30 s later should that
 * one not); should the process running it die, another runs it again (at most once more). A job due
 * while no process ran runs at the next start, its lateness in `job.late`. `bot.schedule()` stays
 * the in-memory variant: nothing it holds outlives the process.
 *
 * @example
 * ```ts
 * bot.jobs.define<{ to: string; text: string }>('reminder', (job) => bot.say(job.data.to, job.data.text))
 * bot.command('remind <seconds> <text...>', 'Reminds you', async (cmd) => {
 *   await bot.jobs.schedule('reminder', { to: cmd.from, text: cmd.args.text }, { in: Number(cmd.args.seconds) * 1000, conversation: bareJid(cmd.from) })
 *   return cmd.reply('OK')
 * })
 * ```
 */
export class Jobs {
  readonly #bot: BotCore & StoreFeature & Partial<FormationFeature>
  readonly #kinds = new Map<string, (job: Job<unknown>) => unknown>()
  readonly #timers = new Map<string, NodeJS.Timeout>()
  readonly #running = new Set<string>()
  /** The jobs this process knows of in the store (its own and those its scans found), for the bounds. */
  #known = new Map<string, Weight>()
  #store: Store | undefined
  #rescan: NodeJS.Timeout | undefined
  #stopping = false

  /** @internal Made by the {@link jobs} feature. */
  constructor(bot: BotCore & StoreFeature & Partial<FormationFeature>) {
    this.#bot = bot
    bot.on('ready', ({ resumed }) => {
      // A bot that defines no kind of job has none to run, and pays nothing for them.
      if (resumed || this.#stopping || this.#kinds.size === 0) return
      this.#scan()
      this.#rescan ??= setInterval(() => this.#scan(), RESCAN_MS).unref()
    })
    bot.formation?.on('change', () => {
      if (this.#kinds.size > 0) this.#scan()
    })
    bot.onStopping(() => {
      this.#stopping = true
      clearInterval(this.#rescan)
      for (const timer of this.#timers.values()) clearTimeout(timer)
      this.#timers.clear()
    })
  }

  get #jobs(): Store {
    this.#store ??= natterNamespace(this.#bot.store, 'natter.jobs')
    return this.#store
  }

  /**
   * Defines what a kind of job does; define every kind before the bot starts, so that jobs left from
   * before find their handler.
   *
   * @example
   * ```ts
   * bot.jobs.define<{ room: string }>('stand-up', (job) => bot.rooms.say(job.data.room, 'Stand-up!'))
   * ```
   */
  define<D>(kind: string, run: (job: Job<D>) => unknown): this {
    if (this.#kinds.has(kind)) throw new TypeError(`jobs: the kind "${kind}" is defined twice`)
    this.#kinds.set(kind, run as (job: Job<unknown>) => unknown)
    return this
  }

  /**
   * Keeps a job in the store and resolves with its id once it is there. Its data must come back from
   * JSON unchanged. Rejects with a `RangeError` when the jobs of its conversation, or all jobs, would
   * exceed {@link JOBS_BOUNDS} in number or size.
   *
   * @example
   * ```ts
   * const id = await bot.jobs.schedule('reminder', { to: 'alice@example.org', text: 'stretch' }, { in: 600_000, conversation: 'alice@example.org' })
   * ```
   */
  async schedule<D>(kind: string, data: D, options: JobOptions): Promise<string> {
    if (!this.#kinds.has(kind)) throw new TypeError(`jobs: no kind "${kind}"; define it with bot.jobs.define() first`)
    const due = options.at?.getTime() ?? Date.now() + (options.in ?? 0)
    if (!Number.isFinite(due)) throw new RangeError(`jobs: "${kind}" needs a due time: { in: ms } or { at: date }`)
    const id = `${Math.max(0, due).toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}`
    const record: JobRecord = { kind, data, due, attempt: 0, ...(options.conversation === undefined ? {} : { conversation: options.conversation }) }
    const weight = { conversation: options.conversation, chars: JSON.stringify(data ?? null).length }
    this.#admit(kind, weight)
    this.#known.set(id, weight)
    try {
      await this.#jobs.set(id, record)
    } catch (error) {
      this.#known.delete(id)
      throw error
    }
    this.#arm(id, record)
    return id
  }

  /**
   * Removes a job that has not started; resolves to whether it did.
   *
   * @example
   * ```ts
   * await bot.jobs.cancel(id)
   * ```
   */
  async cancel(id: string): Promise<boolean> {
    clearTimeout(this.#timers.get(id))
    this.#timers.delete(id)
    let removed = false
    await this.#jobs.update<JobRecord>(id, (job) => {
      removed = job !== undefined && job.claim === undefined
      return removed ? undefined : job
    })
    if (removed) this.#known.delete(id)
    return removed
  }

  /**
   * The jobs in the store, not yet done, by due time.
   *
   * @example
   * ```ts
   * for (const job of await bot.jobs.pending()) bot.log.info({ kind: job.kind, due: job.due })
   * ```
   */
  async pending(): Promise<Array<{ id: string; kind: string; due: Date; conversation: string | undefined }>> {
    const found = await Promise.all((await this.#jobs.list()).map(async (id) => ({ id, job: await this.#jobs.get<JobRecord>(id) })))
    return found.flatMap(({ id, job }) => (job ? [{ id, kind: job.kind, due: new Date(job.due), conversation: job.conversation }] : []))
  }

  /** Reads every job and arms a timer for each; failures are logged and left to the next scan. */
  #scan(): void {
    if (this.#stopping) return
    const scan = async (): Promise<void> => {
      const known = new Map<string, Weight>()
      for (const id of await this.#jobs.list()) {
        const job = await this.#jobs.get<JobRecord>(id)
        if (!job) continue
        known.set(id, { conversation: job.conversation, chars: JSON.stringify(job.data ?? null).length })
        this.#arm(id, job)
      }
      // Scheduled while the scan ran: not in its list, but in the store.
      for (const [id, weight] of this.#known) if (!known.has(id) && this.#timers.has(id)) known.set(id, weight)
      this.#known = known
    }
    scan().catch((e: unknown) => this.#bot.log.warn({ err: e }, 'jobs: cannot read the jobs; trying again later'))
  }

  /** Throws when one more job of `weight` would take its conversation, or all jobs, over the bounds. */
  #admit(kind: string, weight: Weight): void {
    const mine = { jobs: 1, chars: weight.chars }
    const all = { jobs: 1, chars: weight.chars }
    for (const known of this.#known.values()) {
      all.jobs += 1
      all.chars += known.chars
      if (weight.conversation !== undefined && known.conversation === weight.conversation) {
        mine.jobs += 1
        mine.chars += known.chars
      }
    }
    const { perConversation, total } = JOBS_BOUNDS
    if (weight.conversation !== undefined && (mine.jobs > perConversation.jobs || mine.chars > perConversation.chars))
      throw new RangeError(
        `jobs: "${kind}" refused: ${weight.conversation} would have ${mine.jobs} jobs of ${mine.chars} characters (at most ${perConversation.jobs}, ${perConversation.chars})`,
      )
    if (all.jobs > total.jobs || all.chars > total.chars)
      throw new RangeError(`jobs: "${kind}" refused: the store would hold ${all.jobs} jobs of ${all.chars} characters (at most ${total.jobs}, ${total.chars})`)
  }

  #owns(id: string, job: JobRecord): boolean {
    return this.#bot.formation?.owns(job.conversation ?? id) ?? true
  }

  #arm(id: string, job: JobRecord): void {
    if (this.#stopping || this.#running.has(id)) return
    clearTimeout(this.#timers.get(id))
    let wait = Math.max(0, job.due - Date.now()) + (this.#owns(id, job) ? 0 : GRACE_MS)
    if (job.claim) wait = Math.max(wait, job.claim.at + STALE_CLAIM_MS - Date.now())
    const step = (): void => {
      const now = Math.min(wait, MAX_TIMER_MS)
      wait -= now
      // Never what keeps the process alive: the job waits in the store.
      this.#timers.set(id, setTimeout(() => (wait > 0 ? step() : this.#due(id)), now).unref())
    }
    step()
  }

  /** Claims the job in the store (so that no other process runs it too), runs it, and removes it. */
  async #due(id: string): Promise<void> {
    this.#timers.delete(id)
    if (this.#stopping) return
    const token = randomBytes(6).toString('hex')
    const self = this.#bot.jid
    const members = this.#bot.formation?.members() ?? [self]
    let claimed: JobRecord | undefined
    try {
      claimed = await this.#jobs.update<JobRecord>(id, (job) => {
        if (!job) return undefined
        const stale = job.claim && job.claim.by !== self && !members.includes(job.claim.by) && Date.now() - job.claim.at >= STALE_CLAIM_MS
        if (job.claim && !stale) return job
        return { ...job, attempt: job.attempt + 1, claim: { by: self, at: Date.now(), token } }
      })
    } catch (error) {
      this.#bot.log.warn({ err: error, job: id }, 'jobs: cannot claim a due job; trying again at the next scan')
      return
    }
    if (claimed?.claim?.token !== token) return
    const run = this.#kinds.get(claimed.kind)
    if (!run) {
      this.#bot.log.error({ job: id, kind: claimed.kind }, `jobs: no kind "${claimed.kind}" is defined; the job stays in the store`)
      return
    }
    const job: Job<unknown> = {
      id,
      kind: claimed.kind,
      data: claimed.data,
      due: new Date(claimed.due),
      late: Math.max(0, Date.now() - claimed.due),
      conversation: claimed.conversation,
      attempt: claimed.attempt,
    }
    this.#running.add(id)
    const work = Promise.resolve()
      .then(() => run(job))
      .catch((e: unknown) => this.#bot.log.error({ err: e, job: id, kind: job.kind }, 'job failed'))
      .then(() => this.#jobs.update<JobRecord>(id, (kept) => (kept?.claim?.token === token ? undefined : kept)))
      .then(() => this.#known.delete(id))
      .catch((e: unknown) => this.#bot.log.error({ err: e, job: id }, 'jobs: cannot remove a job that ran; it may run once more'))
      .finally(() => this.#running.delete(id))
    await this.#bot.track(work)
  }
}

/**
 * What durable jobs add to a bot.
 *
 * @example
 * ```ts
 * function reminders(bot: BotCore & JobsFeature): void { bot.jobs.define('ping', () => bot.log.info('ping')) }
 * ```
 */
export interface JobsFeature {
  /** Work for later that outlives the process: define kinds at start, schedule jobs, cancel them. */
  readonly jobs: Jobs
}

/**
 * Durable jobs (`bot.jobs`), kept in the bot's store. Installed by `createBot()` after the store and formation.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(store()).install(jobs())
 * ```
 */
export function jobs(): (bot: BotCore & StoreFeature & Partial<FormationFeature>) => JobsFeature {
  return (bot) => ({ jobs: new Jobs(bot) })
}
