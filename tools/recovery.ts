// `npm run recovery`: how fast a natter bot recovers from faults, measured against a private Prosody on loopback,
// with the fault-injecting proxy of tools/proxy.ts in between. Prints the Markdown tables quoted in docs/staying-up.md
// and docs/scaling-out.md. `-- --runs N` repeats each fault N times (default 5); `--no-faults` leaves out the
// formation drills for lasting faults (a stall, a lingering session, the server's restart, also on ejabberd when it
// is installed); `--hog` runs the formation drills with a CPU hog per core beside them; `--no-state` leaves out the
// state drills (a counter in ctx.state and a durable reminder across a handover and a takeover, tools/state-table.ts).
import os from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { type Bot, type BotEvents, createBot } from 'natter'
import { ensureProsody, type Prosody, startProsody } from '../src/cli/sandbox/servers/prosody.js'
import { type Ejabberd, findEjabberd, startEjabberd } from './ejabberd.js'
import { type DrillResult, drills, prepareDrills } from './formation-drill.js'
import { type FaultResult, faultDrills, startHog } from './formation-faults.js'
import { startProxy, type TcpProxy } from './proxy.js'
import { stateTable } from './state-table.js'

const PASSWORD = 'recovery-pw-1'
// The values the acceptance check uses; the defaults (60 s / 10 s) bound detection at 70 s.
const PING_INTERVAL_S = 5
const PING_TIMEOUT_S = 3
const DOWNTIME_MS = 5_000
// Faults come back to back here; a session this old counts as stable, so each run starts from the first
// backoff step, as a fault does after any session that lasted `stableAfter` (60 s by default).
const STABLE_AFTER_MS = 1_000
const EVENT_TIMEOUT_MS = 90_000

interface Row {
  readonly fault: string
  readonly measured: string
  readonly ms: number[]
}

/** Resolves with the time of the next `event` the bot emits, as performance.now(). */
function next<E extends keyof BotEvents>(bot: Bot, event: E, pred: (info: BotEvents[E]) => boolean = () => true): Promise<number> {
  return new Promise((resolve, reject) => {
    let waiting = true
    const timer = setTimeout(() => {
      waiting = false
      reject(new Error(`no ${event} within ${EVENT_TIMEOUT_MS} ms`))
    }, EVENT_TIMEOUT_MS)
    bot.on(event, (info) => {
      if (!waiting || !pred(info)) return
      waiting = false
      clearTimeout(timer)
      resolve(performance.now())
    })
  })
}

async function startBot(prosody: Prosody, user: string, service: string): Promise<Bot> {
  const jid = await prosody.register(user, PASSWORD)
  const bot = createBot({
    env: {},
    jid,
    password: PASSWORD,
    service,
    logLevel: 'silent',
    pingInterval: PING_INTERVAL_S,
    pingTimeout: PING_TIMEOUT_S,
    reconnect: { stableAfter: STABLE_AFTER_MS },
  })
  bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
  await bot.start()
  return bot
}

/** SIGKILL, then the server back on the same port at once (or after `downtime`): kill to bot online again. */
async function serverRestart(prosody: Prosody, bot: Bot, runs: number, downtime: number): Promise<number[]> {
  const times: number[] = []
  for (let run = 0; run < runs; run++) {
    const online = next(bot, 'ready', (info) => !info.resumed)
    const killed = performance.now()
    await prosody.kill()
    if (downtime > 0) await sleep(downtime)
    await prosody.restart()
    times.push((await online) - killed - downtime)
    await sleep(STABLE_AFTER_MS + 500)
  }
  return times
}

/** The link reset under the bot: reset to the session resumed. */
async function linkReset(proxy: TcpProxy, bot: Bot, runs: number): Promise<number[]> {
  const times: number[] = []
  for (let run = 0; run < runs; run++) {
    await bot.ping()
    const resumed = next(bot, 'ready', (info) => info.resumed)
    const reset = performance.now()
    proxy.reset()
    times.push((await resumed) - reset)
    await sleep(STABLE_AFTER_MS + 500)
  }
  return times
}

/** The link blackholed right after traffic, the worst case: blackhole to link declared dead, then to resumed. */
async function deadLink(proxy: TcpProxy, bot: Bot, runs: number): Promise<{ notice: number[]; back: number[] }> {
  const notice: number[] = []
  const back: number[] = []
  for (let run = 0; run < runs; run++) {
    await bot.ping()
    const dropped = next(bot, 'disconnected').then((at) => {
      proxy.heal()
      return at
    })
    const resumed = next(bot, 'ready', (info) => info.resumed)
    const blackholed = performance.now()
    proxy.blackhole()
    const noticed = await dropped
    notice.push(noticed - blackholed)
    back.push((await resumed) - noticed)
    await sleep(STABLE_AFTER_MS + 500)
  }
  return { notice, back }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`
}

function table(rows: readonly Row[]): string {
  const lines = ['| fault | measured | runs | median | min | max |', '| --- | --- | --- | --- | --- | --- |']
  for (const { fault, measured, ms } of rows) {
    const sorted = [...ms].sort((a, b) => a - b)
    const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN
    lines.push(`| ${fault} | ${measured} | ${ms.length} | ${seconds(median)} | ${seconds(sorted[0] ?? NaN)} | ${seconds(sorted.at(-1) ?? NaN)} |`)
  }
  return lines.join('\n')
}

type Scenario = [name: string, messages: number, drill: () => Promise<DrillResult | FaultResult>]

/**
 * Each drill `runs` times: lost, doubled and tripled replies, and how long a takeover or the healing took. With
 * `hog`, a CPU hog per core runs beside each drill (not beside the servers' start, which it would slow past their
 * time limits).
 */
async function measure(scenarios: readonly Scenario[], runs: number, hog: boolean): Promise<string[]> {
  const lines: string[] = []
  for (const [name, count, drill] of scenarios) {
    const results: Array<DrillResult | FaultResult> = []
    for (let run = 0; run < runs; run++) {
      const running = hog ? startHog() : undefined
      try {
        results.push(await drill())
      } finally {
        running?.stop()
      }
    }
    const lost = results.reduce((sum, r) => sum + r.lost.length, 0)
    const doubled = Math.max(...results.map((r) => r.doubled.length))
    const tripled = results.reduce((sum, r) => sum + r.tripled.length, 0)
    const times = results.flatMap((r) => [r.takeoverMs, 'healMs' in r ? r.healMs : undefined].filter((t) => t !== undefined)).sort((a, b) => a - b)
    const time = times.length === 0 ? '' : `${seconds(times[Math.floor((times.length - 1) / 2)] ?? NaN)}, ${seconds(times.at(-1) ?? NaN)}`
    lines.push(`| ${name} | ${count} | ${runs} | ${lost} | ${doubled} | ${tripled} | ${time} |`)
  }
  return lines
}

/** The formation drills against a fresh Prosody with rooms, then the lasting faults on it and on ejabberd. */
async function formationTable(runs: number, faults: boolean, hog: boolean): Promise<string> {
  const lines = [
    '| scenario | messages | runs | lost (all runs) | doubled (worst run) | tripled (all runs) | takeover after SIGKILL, or healed after (median, max) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ]
  const prosody = await startProsody({ smacksHibernation: 120 })
  try {
    const setup = await prepareDrills(prosody, PASSWORD)
    lines.push(
      ...(await measure(
        [
          ['bot=2, steady', 100, () => drills.steady(setup, 2)],
          ['bot=3, steady', 150, () => drills.steady(setup, 3, 150)],
          ['bot=2, SIGTERM to one under traffic', 200, () => drills.sigterm(setup)],
          ['restart overlap: new bot.1, then SIGTERM to old bot.1', 200, () => drills.overlap(setup)],
          ['scale up 1 → 2 under traffic', 200, () => drills.scaleUp(setup)],
          ['restart as Heroku times it: SIGTERM to old bot.1 as the new one starts', 200, () => drills.overlapAtOnce(setup)],
          ['restart with a gap of 2 s', 200, () => drills.gap(setup)],
          ['bot=3 in a room', 60, () => drills.room(setup, 'drill@conference.localhost', 3)],
          ['bot=2, SIGKILL to one, 50 msg/s', 400, () => drills.sigkill(setup)],
          ...(faults
            ? ([
                ['bot=3, one stalled (SIGSTOP) for 8.5 s, 25 msg/s', 400, () => faultDrills.stall(setup)],
                ['bot=2, SIGKILL to one, a new bot.1 6 s later (its session still "available")', 400, () => faultDrills.lingering(setup)],
                ['bot=3, Prosody killed and started again', 300, () => faultDrills.serverRestart(setup, () => prosody.restart())],
              ] satisfies Scenario[])
            : []),
        ],
        runs,
        hog,
      )),
    )
  } finally {
    await prosody.stop()
  }
  if (faults && findEjabberd()) lines.push(...(await ejabberdRows(runs, hog)))
  return lines.join('\n')
}

/** The lasting faults on a fresh ejabberd; a row saying why when it cannot start, so that the rest still gets printed. */
async function ejabberdRows(runs: number, hog: boolean): Promise<string[]> {
  let ejabberd: Ejabberd
  try {
    ejabberd = await startEjabberd({ muc: true, resumeTimeout: 120, scramHash: 'sha1' })
  } catch (error) {
    return [`| ejabberd: not measured (${error instanceof Error ? error.message : String(error)}) | | | | | | |`]
  }
  try {
    const setup = await prepareDrills(ejabberd, PASSWORD)
    return await measure(
      [
        ['ejabberd: bot=3, one stalled (SIGSTOP) for 8.5 s, 25 msg/s', 400, () => faultDrills.stall(setup)],
        ['ejabberd: bot=2, SIGKILL to one, a new bot.1 6 s later', 400, () => faultDrills.lingering(setup)],
        ['ejabberd: bot=3, ejabberd stopped (SIGTERM) and started again', 300, () => faultDrills.serverRestart(setup, () => ejabberd.restart(true))],
      ],
      runs,
      hog,
    )
  } finally {
    await ejabberd.stop()
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      faults: { type: 'boolean', default: true },
      hog: { type: 'boolean', default: false },
      state: { type: 'boolean', default: true },
    },
    allowNegative: true,
  })
  const runs = Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive whole number')
  await ensureProsody({ install: true })

  const prosody = await startProsody({ muc: false })
  const proxy = await startProxy({ host: prosody.host, port: prosody.port })
  const bots: Bot[] = []
  try {
    process.stderr.write(`measuring, ${runs} runs per fault...\n`)
    const direct = await startBot(prosody, 'direct', prosody.service)
    const proxied = await startBot(prosody, 'proxied', proxy.service)
    bots.push(direct, proxied)
    const rows: Row[] = []
    rows.push({ fault: 'link reset (TCP RST)', measured: 'reset → session resumed', ms: await linkReset(proxy, proxied, runs) })
    const dead = await deadLink(proxy, proxied, runs)
    rows.push({ fault: `link blackholed, ping ${PING_INTERVAL_S} s / ${PING_TIMEOUT_S} s`, measured: 'blackhole → link declared dead', ms: dead.notice })
    rows.push({ fault: `link blackholed, ping ${PING_INTERVAL_S} s / ${PING_TIMEOUT_S} s`, measured: 'declared dead → session resumed', ms: dead.back })
    rows.push({ fault: 'server SIGKILLed, restarted at once', measured: 'kill → bot online (new session)', ms: await serverRestart(prosody, direct, runs, 0) })
    rows.push({
      fault: `server SIGKILLed, down ${DOWNTIME_MS / 1000} s`,
      measured: 'server back → bot online (new session)',
      ms: await serverRestart(prosody, direct, runs, DOWNTIME_MS),
    })
    process.stdout.write(`${table(rows)}\n\n`)
    process.stdout.write(`Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Prosody on loopback.\n`)
    process.stdout.write('Default backoff (up to 1 s, doubling to 60 s, full jitter); each fault hits a stable session.\n\n')
    process.stderr.write(`formations, ${runs} runs per scenario${values.hog ? ', with a CPU hog per core' : ''}...\n`)
    // The hog runs beside the formation drills only: the faults above are measured on a quiet machine.
    process.stdout.write(`${await formationTable(runs, values.faults, values.hog)}\n\n`)
    process.stdout.write(
      `Six senders take turns; every reply to a numbered message is counted. Default takeover time (5 s)${values.hog ? '; a CPU hog per core beside the drills' : ''}.\n`,
    )
    if (values.state) {
      process.stderr.write(`state drills, ${runs} runs each...\n`)
      process.stdout.write(`\n${await stateTable(runs)}\n\n`)
      process.stdout.write(
        'Two processes of tools/counter-bot.ts; six senders take turns with `count <n>` (120 messages), each first asking for a reminder due 1.5 s later.\n',
      )
    }
  } finally {
    await Promise.allSettled(bots.map((bot) => bot.stop(1_000)))
    await proxy.close()
    await prosody.stop()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`recovery: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
