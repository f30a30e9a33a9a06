// `npm run bench`: natter's echo example next to a bare @xmpp/client bot, slixmpp and the server's own relay
// rate, against one private Prosody on loopback, interleaved over several rounds; then the same bots against the
// library-free floor at 200 messages a second, where natter's time goes, and the dispatch micro-benchmark.
// Prints the results and writes them into BENCHMARKS.md.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { ensureProsody, type Prosody, startProsody } from '../src/cli/sandbox/servers/prosody.js'
import { killAllBots, machineCpuSeconds, ownCpuSeconds, pidFrom } from './bot-process.js'
import { BOTS, ROOT } from './bots.js'
import { type CeilingSample, measureCeiling } from './ceiling.js'
import { runDispatchBench } from './dispatch.js'
import { FLOOR_BOT, FLOOR_FULL, FLOOR_QUICK, type FloorBot, type FloorSettings, profileNatter, runFloor } from './floor.js'
import { LoadClient } from './load-client.js'
import { describeMachine, loadAverage } from './machine.js'
import { BOT_PASSWORD, type BotSample, measureBot, type Rig } from './measure.js'
import { renderResults, withResults } from './report.js'
import { type BenchSettings, FULL, QUICK } from './settings.js'
import { type SideBySideBot, sideBySide } from './side-by-side.js'
import { ensureSlixmpp } from './slixmpp.js'
import { runStateCpuBench, STATE_FULL, STATE_QUICK } from './state-cpu.js'
import { median } from './stats.js'
import { runStoreBench, STORE_FULL, STORE_QUICK } from './store.js'
import { runWebBench, WEB_FULL, WEB_QUICK } from './webhook.js'

const USAGE = `Usage: npm run bench [-- options]

  --quick        one short round, to check that everything works; BENCHMARKS.md is left alone
  --rounds N     rounds of the full run (default ${FULL.rounds})
  --no-write     print the results only, leave BENCHMARKS.md alone
  --side-by-side only the one-at-a-time run, with natter and the bare client running at the same time, so that
                 a busy machine weighs on both alike; prints only
  --compare DIR  with --side-by-side: also the echo example of another built checkout (DIR/dist/examples/echo.js)
  --floor        only the bots against the library-free floor (floor, bare, natter, slixmpp taking turns, 6,000
                 messages at 200 a second each, three rounds), then natter's CPU profile by module; prints only
  --profile      only natter's CPU profile by module during one paced run; prints only
  --web          only the web side (webhook to chat message, /metrics on the paced echo); prints only
  --store        only bot.store: get/set/update latency and throughput on memory, the XMPP account and
                 PostgreSQL side by side, then the CPU per echo of a handler using ctx.state (memory store,
                 XMPP account) beside one without, running at once; prints only
  -h, --help     this text`

const LOAD_PASSWORD = 'bench-load'
const BUSY_LOAD = 0.5
/** Share of the machine's CPU taken by other processes during a run above which its figures are suspect. */
const BUSY_OTHERS = 0.05

const say = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

interface Options {
  settings: BenchSettings
  write: boolean
  sideBySide: boolean
  compare: string | undefined
  webOnly: boolean
  storeOnly: boolean
  floorOnly: boolean
  profileOnly: boolean
  quick: boolean
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      'side-by-side': { type: 'boolean', default: false },
      compare: { type: 'string' },
      web: { type: 'boolean', default: false },
      store: { type: 'boolean', default: false },
      floor: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds)
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds >= 1 && rounds <= 20)) throw new Error('--rounds takes a whole number from 1 to 20')
  if (values.compare !== undefined && !values['side-by-side']) throw new Error('--compare goes with --side-by-side')
  const base = values.quick ? QUICK : FULL
  const sideBySide = values['side-by-side']
  return {
    settings: { ...base, rounds: rounds ?? base.rounds },
    write: !values.quick && !values['no-write'] && !sideBySide && !values.web && !values.store && !values.floor && !values.profile,
    sideBySide,
    compare: values.compare,
    webOnly: values.web,
    storeOnly: values.store,
    floorOnly: values.floor,
    profileOnly: values.profile,
    quick: values.quick,
  }
}

async function echoRounds(
  prosody: Prosody,
  settings: BenchSettings,
  bots: typeof BOTS,
): Promise<{ ceiling: CeilingSample[]; samples: Map<string, BotSample[]> }> {
  const serverPid = await pidFrom(path.join(prosody.dataDir, 'prosody.pid'))
  const loadUsers = Array.from({ length: settings.senders }, (_, i) => `load${i + 1}`)
  // A fresh account per bot and round: nothing an earlier round left on the server can reach the next one.
  const botUsers = bots.flatMap((bot) => Array.from({ length: settings.rounds }, (_, r) => `${bot.id}${r + 1}`))
  await Promise.all([
    ...['sink', ...loadUsers].map((user) => prosody.register(user, LOAD_PASSWORD)),
    ...botUsers.map((user) => prosody.register(user, BOT_PASSWORD)),
  ])
  const account = { host: prosody.host, port: prosody.port, domain: prosody.domain, password: LOAD_PASSWORD, resource: 'load' }
  const sink = await LoadClient.connect({ ...account, user: 'sink' })
  const senders = await Promise.all(loadUsers.map((user) => LoadClient.connect({ ...account, user })))
  const rig: Rig = { service: prosody.service, domain: prosody.domain, serverPid, senders }
  const ceiling: CeilingSample[] = []
  const samples = new Map<string, BotSample[]>(bots.map((bot) => [bot.id, []]))
  try {
    const order = ['ceiling', ...bots.map((bot) => bot.id)]
    for (let round = 1; round <= settings.rounds; round++) {
      // A different one goes first each round, so no bot always follows the same neighbour.
      const shift = (round - 1) % order.length
      for (const id of [...order.slice(shift), ...order.slice(0, shift)]) {
        const bot = bots.find((b) => b.id === id)
        if (!bot) {
          const sample = await measureCeiling(rig, sink, settings, `ceiling${round}`)
          ceiling.push(sample)
          say(`round ${round}/${settings.rounds}  ceiling: ${Math.round(sample.rate)} msg/s relayed`)
          continue
        }
        const sample = await measureBot(bot, `${bot.id}${round}`, rig, settings)
        samples.get(bot.id)?.push(sample)
        say(
          `round ${round}/${settings.rounds}  ${bot.id}: ${Math.round(sample.throughput.rate)} msg/s, ` +
            `p99 ${sample.p99.toFixed(2)} ms, ${sample.idleRssMb.toFixed(1)} MB, online in ${Math.round(sample.onlineMs)} ms`,
        )
      }
    }
  } finally {
    await Promise.all([sink, ...senders].map((client) => client.close()))
  }
  return { ceiling, samples }
}

/** `--side-by-side`: natter, the bare client and maybe another natter, one at a time, all at once. */
async function runSideBySide(settings: BenchSettings, compare: string | undefined): Promise<void> {
  const bots: SideBySideBot[] = BOTS.filter((bot) => bot.id !== 'slixmpp')
  if (compare !== undefined) {
    const echo = path.resolve(compare, 'dist/examples/echo.js')
    bots.push({ id: 'compared', label: `natter echo example in ${compare}`, command: process.execPath, args: [echo] })
  }
  await ensureProsody({ install: true })
  const prosody = await startProsody({ muc: false, smacksHibernation: 0 })
  let samples: Awaited<ReturnType<typeof sideBySide>>
  try {
    samples = await sideBySide(prosody, bots, settings, say)
  } finally {
    killAllBots()
    await prosody.stop()
  }
  const bare = median(samples.get('bare') ?? [])
  const lines = [
    `Side by side, ${settings.rounds} round(s): ${settings.pacedMessages.toLocaleString('en-US')} messages one at a time, ${settings.pacedRate} a second, to every bot at once; ` +
      `the bot's CPU per echo, median over the rounds.`,
    '',
    '| | bot CPU µs/msg | ÷ bare |',
    '| --- | ---: | ---: |',
    ...bots.map((bot) => {
      const cpu = median(samples.get(bot.id) ?? [])
      return `| ${bot.label} | ${Math.round(cpu)} | ${(cpu / bare).toFixed(2)}× |`
    }),
  ]
  process.stdout.write(`\n${lines.join('\n')}\n`)
}

/** `--web`: the web side alone, printed. */
async function runWebOnly(settings: typeof WEB_FULL): Promise<void> {
  await ensureProsody({ install: true })
  const prosody = await startProsody({ muc: false, smacksHibernation: 0 })
  try {
    process.stdout.write(`\n${await runWebBench(prosody, settings, say)}\n`)
  } finally {
    killAllBots()
    await prosody.stop()
  }
}

/** The floor's opponents: the bare client, natter's echo example as the Procfile runs it, and slixmpp when installed. */
function floorBots(slixmpp: boolean): FloorBot[] {
  return [FLOOR_BOT, ...BOTS.filter((bot) => bot.id !== 'slixmpp' || slixmpp)]
}

/** `--floor` and `--profile`: the turns against the floor and natter's profile, or the profile alone; printed. */
async function runFloorOnly(settings: FloorSettings, turns: boolean): Promise<void> {
  await ensureProsody({ install: true })
  const bots = floorBots(turns && ensureSlixmpp(say) !== undefined)
  const natter = bots.find((bot) => bot.id === 'natter') as FloorBot
  const prosody = await startProsody({ muc: false, smacksHibernation: 0 })
  try {
    if (turns) process.stdout.write(`\n${await runFloor(prosody, bots, settings, say)}\n`)
    process.stdout.write(`\n${await profileNatter(prosody, natter, settings, say)}\n`)
  } finally {
    killAllBots()
    await prosody.stop()
  }
}

/** `--store`: the store's back ends, then ctx.state's CPU per echo; printed. */
async function runStoreOnly(quick: boolean, settings: BenchSettings): Promise<void> {
  await ensureProsody({ install: true })
  const prosody = await startProsody({ muc: false, smacksHibernation: 0 })
  try {
    process.stdout.write(`\n${await runStoreBench(prosody, quick ? STORE_QUICK : STORE_FULL, say)}\n`)
    const state = quick ? STATE_QUICK : { ...STATE_FULL, rounds: Math.min(settings.rounds, STATE_FULL.rounds) }
    process.stdout.write(`\n${await runStateCpuBench(prosody, settings, state, say)}\n`)
  } finally {
    killAllBots()
    await prosody.stop()
  }
}

async function main(): Promise<void> {
  const { settings, write, sideBySide: sideBySideOnly, compare, webOnly, storeOnly, floorOnly, profileOnly, quick } = options()
  if (sideBySideOnly) return runSideBySide(settings, compare)
  if (storeOnly) return runStoreOnly(quick, settings)
  const floorSettings = quick ? FLOOR_QUICK : { ...FLOOR_FULL, rounds: Math.min(settings.rounds, FLOOR_FULL.rounds) }
  if (floorOnly || profileOnly) return runFloorOnly(floorSettings, floorOnly)
  const webSettings = quick ? WEB_QUICK : { ...WEB_FULL, rounds: Math.min(settings.rounds, WEB_FULL.rounds) }
  if (webOnly) return runWebOnly(webSettings)
  const started = performance.now()
  const date = new Date()
  const before = loadAverage()
  const machineBefore = machineCpuSeconds()
  const ownBefore = ownCpuSeconds()
  if (before > BUSY_LOAD) say(`note: load average ${before.toFixed(2)}: other work on this machine will show in the figures`)
  await ensureProsody({ install: true })
  const slixmpp = ensureSlixmpp(say)
  const bots = BOTS.filter((bot) => bot.id !== 'slixmpp' || slixmpp !== undefined)
  const skipped = slixmpp === undefined ? ['slixmpp (python3-slixmpp is not installed)'] : []

  say('dispatch micro-benchmark...')
  const dispatch = await runDispatchBench()

  const prosody = await startProsody({ muc: false, smacksHibernation: 0 })
  const interrupt = (signal: NodeJS.Signals): void => {
    say(`${signal}: stopping`)
    killAllBots()
    prosody.stop().finally(() => process.exit(130))
  }
  process.once('SIGINT', interrupt)
  process.once('SIGTERM', interrupt)
  let rounds: Awaited<ReturnType<typeof echoRounds>>
  let web: string
  let floor: string
  let profile: string
  try {
    rounds = await echoRounds(prosody, settings, bots)
    floor = await runFloor(prosody, floorBots(slixmpp !== undefined), floorSettings, say)
    profile = await profileNatter(prosody, bots.find((bot) => bot.id === 'natter') as FloorBot, floorSettings, say)
    web = await runWebBench(prosody, webSettings, say)
  } finally {
    killAllBots()
    await prosody.stop()
  }

  const machine = describeMachine(slixmpp)
  const seconds = (performance.now() - started) / 1000
  // Everything this run started has ended and been reaped by now, so its CPU is in ownCpuSeconds().
  const others = (machineCpuSeconds() - machineBefore - (ownCpuSeconds() - ownBefore)) / (seconds * machine.cores)
  const section = renderResults({
    machine,
    settings,
    date,
    minutes: seconds / 60,
    load: { before, others: Math.max(0, others) },
    ceiling: rounds.ceiling,
    bots: bots.map((bot) => ({ bot, samples: rounds.samples.get(bot.id) ?? [] })),
    skipped,
    dispatch,
  }).concat(`\n\n### Against the floor\n\n${floor}\n\n### Where natter's time goes\n\n${profile}\n\n${web}`)
  process.stdout.write(`\n${section}\n`)
  if (others > BUSY_OTHERS) say(`note: other processes took ${Math.round(others * 100)}% of the CPU during the run: rerun on a quiet machine`)
  if (write) {
    const file = path.join(ROOT, 'BENCHMARKS.md')
    writeFileSync(file, withResults(readFileSync(file, 'utf8'), section))
    say(`\nwritten to ${file}`)
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    killAllBots()
    say(`bench: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  },
)
