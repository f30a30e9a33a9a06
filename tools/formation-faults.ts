// Formation drills for the faults that last: a process stalled for longer than the takeover time, a restart while
// the session of a killed process lingers on the server, and the server's own restart. Each counts every reply
// to numbered messages (lost, doubled, tripled) and checks that the members end up with one view.
import { type ChildProcess, spawn } from 'node:child_process'
import os from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Counter, Crew, DrillResult, DrillSetup, Member } from './formation-drill.js'
import { withCrew } from './formation-drill.js'

/** What a fault drill saw besides the replies. */
export interface FaultResult extends DrillResult {
  /** Every member's last word on the formation names every member that runs: one view again. */
  readonly converged: boolean
  /** From the end of the fault (SIGCONT, the server back) until every member counted every other again, in ms. */
  readonly healMs?: number
  /** The lingering session of a killed process was never counted by the process started after it. */
  readonly ghostCounted?: boolean
  /** Lines about an unhandled promise rejection, in all members' output. */
  readonly unhandled: number
}

/** Options every fault drill takes. */
export interface FaultOptions {
  /** Numbered messages sent in all. */
  count?: number
  /** The pause between two messages, in ms. */
  everyMs?: number
  /** Run a CPU hog per core beside the drill, where timing bugs show. */
  hog?: boolean
  /** The members' takeover time, in seconds (`XMPP_TAKEOVER`; default 5). */
  takeover?: number
}

/** The environment of the members for `opts`. */
function memberEnv(opts: FaultOptions): Record<string, string> {
  return opts.takeover === undefined ? {} : { XMPP_TAKEOVER: String(opts.takeover) }
}

/** Busy loops, one per core: the machine loaded while the drill runs. Stop them with `stop()`. */
export function startHog(processes = os.cpus().length): { stop(): void } {
  const children: ChildProcess[] = []
  for (let i = 0; i < processes; i++) children.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }))
  return {
    stop() {
      for (const child of children) child.kill('SIGKILL')
    },
  }
}

async function loaded<T>(hog: boolean | undefined, run: () => Promise<T>): Promise<T> {
  const running = hog ? startHog() : undefined
  try {
    return await run()
  } finally {
    running?.stop()
  }
}

/** The members each member counted in its last formation line, as a sorted list, per member. */
function lastViews(members: readonly Member[]): string[] {
  return members.map((m) => {
    const line = m.process.logs().findLast((l) => typeof l.msg === 'string' && l.msg.startsWith('formation: ') && Array.isArray(l.members))
    return [...((line?.members as string[] | undefined) ?? [])].sort().join(' ')
  })
}

/** Whether every member's last word counts exactly `crew`. */
async function converged(members: readonly Member[], crew: readonly Member[]): Promise<boolean> {
  const wanted = (await Promise.all(crew.map((m) => m.jid()))).sort().join(' ')
  return lastViews(members).every((view) => view === wanted)
}

/**
 * From `since` (epoch ms) until each of `members` logged a formation of exactly `crew`: the longest, in ms;
 * undefined when one did not within `ms` (the formation stayed split).
 */
async function healedAfter(members: readonly Member[], crew: readonly Member[], since: number, ms = 30_000): Promise<number | undefined> {
  const wanted = (await Promise.all(crew.map((m) => m.jid()))).sort().join(' ')
  const times = await Promise.all(
    members.map(async (m) => {
      const line = await m.process
        .waitForLog((l) => Number(l.time) >= since && Array.isArray(l.members) && [...(l.members as string[])].sort().join(' ') === wanted, ms)
        .catch(() => undefined)
      return line === undefined ? Number.NaN : Number(line.time) - since
    }),
  )
  return times.some(Number.isNaN) ? undefined : Math.max(...times)
}

function unhandledLines(members: readonly Member[]): number {
  return members.reduce((sum, m) => sum + (m.process.output().match(/unhandled/gi)?.length ?? 0), 0)
}

/** A stall in the middle of numbers `first`..`last`: the busiest of `members` stopped for `stallMs`. Returns when it went on (epoch ms). */
async function stallPhase(counter: Counter, members: readonly Member[], first: number, last: number, everyMs: number, stallMs: number): Promise<number> {
  let resumedAt = 0
  let woken: Promise<void> = Promise.resolve()
  const at = first + Math.floor((last - first) / 4)
  await counter.send(
    last,
    everyMs,
    (n) => {
      if (n !== at) return
      const stalled = members.find((m) => m.dyno === counter.busiest()) ?? (members[1] as Member)
      stalled.process.kill('SIGSTOP')
      woken = sleep(stallMs).then(() => {
        resumedAt = Date.now()
        stalled.process.kill('SIGCONT')
      })
    },
    first,
  )
  await woken
  await counter.settled(last)
  return resumedAt
}

/** Numbers up to `first - 1` answered, the server restarted, the senders back, and `first`..`last` sent at once. Returns when the server was back (epoch ms). */
async function restartPhase(counter: Counter, restart: () => Promise<void>, first: number, last: number, everyMs: number): Promise<number> {
  await counter.settled(first - 1)
  await restart()
  const back = Date.now()
  await counter.reconnect()
  await counter.send(last, everyMs, undefined, first)
  await counter.settled(last)
  return back
}

/** Three members, formed. */
async function threeMembers(crew: Crew, opts: FaultOptions): Promise<Member[]> {
  const env = memberEnv(opts)
  const members = [crew.member('bot.1', env), crew.member('bot.2', env), crew.member('bot.3', env)]
  await Promise.all(members.map((m) => m.formed(members)))
  return members
}

/** The fault drills, each as production would meet it. */
export const faultDrills = {
  /**
   * Three processes under traffic; one is stopped (SIGSTOP) for `stallMs`, longer than the takeover time, as a
   * blocking handler, a long GC or a starved CPU would, and goes on (SIGCONT).
   */
  stall: (setup: DrillSetup, opts: FaultOptions & { stallMs?: number } = {}) =>
    withCrew(setup, async (crew): Promise<FaultResult> => {
      const { count = 400, everyMs = 40, stallMs = stallFor(opts) } = opts
      const members = await threeMembers(crew, opts)
      const counter = await crew.chats()
      return loaded(opts.hog, async () => {
        const resumedAt = await stallPhase(counter, members, 1, count, everyMs, stallMs)
        const healMs = await healedAfter(members, members, resumedAt)
        return { ...counter.tally(count), converged: await converged(members, members), healMs, unhandled: unhandledLines(members) }
      })
    }),

  /**
   * Two processes under traffic; one is killed (SIGKILL), and `restartAfterMs` later, while the server still keeps
   * its session "available", a new process with the same DYNO starts, as Heroku restarts a crashed dyno.
   */
  lingering: (setup: DrillSetup, opts: FaultOptions & { restartAfterMs?: number } = {}) =>
    withCrew(setup, async (crew): Promise<FaultResult> => {
      const { count = 400, everyMs = 40, restartAfterMs = ((opts.takeover ?? 5) + 1) * 1000 } = opts
      const env = memberEnv(opts)
      const one = crew.member('bot.1', env)
      const two = crew.member('bot.2', env)
      await Promise.all([one.formed([one, two]), two.formed([one, two])])
      const counter = await crew.chats()
      return loaded(opts.hog, async () => {
        let fresh: Member | undefined
        let restarted: Promise<void> = Promise.resolve()
        await counter.send(count, everyMs, (n) => {
          if (n !== Math.floor(count / 4)) return
          one.process.kill('SIGKILL')
          restarted = sleep(restartAfterMs).then(() => {
            fresh = crew.member('bot.1', env)
          })
        })
        await restarted
        const started = fresh as Member | undefined
        if (!started) throw new Error('the new bot.1 did not start')
        await started.formed([started, two])
        await counter.settled(count)
        const ghost = await one.jid()
        const ghostCounted = started.process.logs().some((l) => Array.isArray(l.members) && (l.members as string[]).includes(ghost))
        const crewNow = [started, two]
        return { ...counter.tally(count), converged: await converged(crewNow, crewNow), ghostCounted, unhandled: unhandledLines(crewNow) }
      })
    }),

  /**
   * Three processes; traffic, then the server is stopped and started again (`restart`), and the senders, back,
   * send more at once, while the processes come back, each with a new session.
   */
  serverRestart: (setup: DrillSetup, restart: () => Promise<void>, opts: FaultOptions = {}) =>
    withCrew(setup, async (crew): Promise<FaultResult> => {
      const { count = 300, everyMs = 40 } = opts
      const members = await threeMembers(crew, opts)
      const counter = await crew.chats()
      return loaded(opts.hog, async () => {
        const half = Math.floor(count / 2)
        await counter.send(half, everyMs)
        const back = await restartPhase(counter, restart, half + 1, count, everyMs)
        const healMs = await healedAfter(members, members, back)
        return { ...counter.tally(count), converged: await converged(members, members), healMs, unhandled: unhandledLines(members) }
      })
    }),

  /** The stall, then the server's restart, with one crew: both faults for the time of one drill (the integration tests'). */
  stallThenRestart: (setup: DrillSetup, restart: () => Promise<void>, opts: FaultOptions = {}) =>
    withCrew(setup, async (crew): Promise<FaultResult> => {
      const { count = 300, everyMs = 40 } = opts
      const members = await threeMembers(crew, opts)
      const counter = await crew.chats()
      return loaded(opts.hog, async () => {
        const half = Math.floor(count / 2)
        const resumedAt = await stallPhase(counter, members, 1, half, everyMs, stallFor(opts))
        const stallHealed = await healedAfter(members, members, resumedAt)
        const back = await restartPhase(counter, restart, half + 1, count, everyMs)
        const restartHealed = await healedAfter(members, members, back)
        const healMs = stallHealed === undefined || restartHealed === undefined ? undefined : Math.max(stallHealed, restartHealed)
        return { ...counter.tally(count), converged: await converged(members, members), healMs, unhandled: unhandledLines(members) }
      })
    }),
}

/** A stall longer than the takeover time: by half the takeover time and a second. */
function stallFor(opts: FaultOptions): number {
  const takeover = (opts.takeover ?? 5) * 1000
  return takeover * 1.5 + 1000
}
