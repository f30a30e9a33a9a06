// Against the floor: the library-free echo bot, bare @xmpp/client, natter and slixmpp take turns on one Prosody,
// each round in a different order, and get the same numbered messages one at a time at a steady 200 a second
// from one independent load client. Each bot's CPU per echo, median over the rounds, and its ratio to the floor's
// in the same run; idle memory and start→online on the way. Then, optionally, natter once more under the CPU
// profiler, its paced run folded by module: where its time goes.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Prosody } from '../src/cli/sandbox/servers/prosody.js'
import { type BotCommand, BotProcess, rssMb } from './bot-process.js'
import { ROOT } from './bots.js'
import { type CpuProfile, renderProfile, summarizeProfile } from './cpu-profile.js'
import { answerAfter } from './latency.js'
import { chatMessage, LoadClient } from './load-client.js'
import { BOT_PASSWORD } from './measure.js'
import { paced } from './paced.js'
import { median } from './stats.js'

export interface FloorSettings {
  readonly rounds: number
  /** Numbered messages per bot and round, one at a time at `rate` a second. */
  readonly messages: number
  readonly rate: number
  /** Echoes before the measured ones, faster, so that every runtime has compiled its hot paths. */
  readonly warmup: number
  /** How long a bot sits idle once online before its memory is read, in ms. */
  readonly idleMs: number
  /** Answers missing for this long after the last message are counted lost, in ms. */
  readonly stallMs: number
}

export const FLOOR_FULL: FloorSettings = { rounds: 3, messages: 6_000, rate: 200, warmup: 1_000, idleMs: 10_000, stallMs: 2_000 }
export const FLOOR_QUICK: FloorSettings = { ...FLOOR_FULL, rounds: 1, messages: 600, warmup: 300, idleMs: 1_000 }

/** The library-free echo bot every other bot is measured against here. */
export const FLOOR_BOT = { id: 'floor', label: 'floor (no library)', command: process.execPath, args: [path.join(ROOT, 'dist/bench/bots/floor-echo.js')] }

export interface FloorBot extends BotCommand {
  readonly id: string
  readonly label: string
}

interface Turn {
  readonly cpuUs: number
  readonly lost: number
  readonly duplicates: number
  readonly idleRssMb: number
  readonly onlineMs: number
}

const ANSWER = 'You said: '
const LOAD_PASSWORD = 'bench-load'
const ONLINE_TIMEOUT_MS = 30_000
/** Finer than V8's default 1 ms: an echo costs well under one. */
const PROFILE_INTERVAL_US = 250

/** The monotonic clock in µs, which V8's profile timestamps also use. */
const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n)

async function turn(
  prosody: Prosody,
  client: LoadClient,
  bot: FloorBot,
  user: string,
  settings: FloorSettings,
  onPaced?: (window: { fromUs: number; toUs: number }) => void,
): Promise<Turn> {
  const to = await prosody.register(user, BOT_PASSWORD)
  // Left on the server before the bot starts: its answer marks the bot online.
  const probe = `${user}-probe`
  void client.write(chatMessage(to, probe))
  await client.ping()
  const online = answerAfter(client, `${ANSWER}${probe}`, performance.now(), ONLINE_TIMEOUT_MS)
  // One load client sends thousands of messages: natter's per-sender limits would drop most of them.
  const proc = new BotProcess(bot, { JID: to, JPASSWORD: BOT_PASSWORD, XMPP_SERVICE: prosody.service, XMPP_RESOURCE: 'bench', XMPP_LIMITS: 'off' })
  try {
    const onlineMs = await proc.whileRunning(online)
    await sleep(settings.idleMs)
    const idleRssMb = rssMb(proc.pid)
    const base = { client, to, answerPrefix: ANSWER, stallMs: settings.stallMs, pid: proc.pid }
    await proc.whileRunning(paced({ ...base, count: settings.warmup, rate: 1_000, tag: `${user}-warmup` }))
    const fromUs = monotonicUs()
    const result = await proc.whileRunning(paced({ ...base, count: settings.messages, rate: settings.rate, tag: `${user}-paced` }))
    onPaced?.({ fromUs, toUs: monotonicUs() })
    return { cpuUs: result.botCpuUs, lost: result.lost, duplicates: result.duplicates, idleRssMb, onlineMs }
  } finally {
    await proc.stop()
  }
}

/** The bots' turns, round by round; the table of results as Markdown. */
export async function runFloor(prosody: Prosody, bots: readonly FloorBot[], settings: FloorSettings, say: (line: string) => void): Promise<string> {
  await prosody.register('floor-load', LOAD_PASSWORD)
  const client = await LoadClient.connect({
    host: prosody.host,
    port: prosody.port,
    domain: prosody.domain,
    user: 'floor-load',
    password: LOAD_PASSWORD,
    resource: 'load',
  })
  const turns = new Map<string, Turn[]>(bots.map((bot) => [bot.id, []]))
  try {
    for (let round = 1; round <= settings.rounds; round++) {
      const shift = (round - 1) % bots.length
      for (const bot of [...bots.slice(shift), ...bots.slice(0, shift)]) {
        const result = await turn(prosody, client, bot, `${bot.id}-floor${round}`, settings)
        turns.get(bot.id)?.push(result)
        const lost = result.lost + result.duplicates > 0 ? `, ${result.lost} lost, ${result.duplicates} doubled` : ''
        say(
          `floor round ${round}/${settings.rounds}  ${bot.id}: ${Math.round(result.cpuUs)} µs/echo, ${result.idleRssMb.toFixed(1)} MB idle, online in ${Math.round(result.onlineMs)} ms${lost}`,
        )
      }
    }
  } finally {
    await client.close()
  }
  const m = (id: string, pick: (t: Turn) => number): number => median((turns.get(id) ?? []).map(pick))
  const floor = m(FLOOR_BOT.id, (t) => t.cpuUs)
  const total = (id: string, pick: (t: Turn) => number): number => (turns.get(id) ?? []).reduce((sum, t) => sum + pick(t), 0)
  return [
    `Against the floor, ${settings.rounds} round(s): each bot in turn on one Prosody, ${settings.messages.toLocaleString('en-US')} numbered messages ` +
      `one at a time, ${settings.rate} a second, from one independent client (after ${settings.warmup.toLocaleString('en-US')} to warm up); ` +
      `the bot's CPU per echo, median over the rounds, and its ratio to the floor's. Idle RSS ${settings.idleMs / 1000} s after coming online.`,
    '',
    '| | CPU µs/echo | ÷ floor | lost / doubled | idle RSS MB | start→online ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...bots.map((bot) => {
      const cpu = m(bot.id, (t) => t.cpuUs)
      const lost = `${total(bot.id, (t) => t.lost)} / ${total(bot.id, (t) => t.duplicates)}`
      return `| ${bot.label} | ${Math.round(cpu)} | ${(cpu / floor).toFixed(2)}× | ${lost} | ${m(bot.id, (t) => t.idleRssMb).toFixed(1)} | ${Math.round(m(bot.id, (t) => t.onlineMs))} |`
    }),
  ].join('\n')
}

/** natter's bot once more under `--cpu-prof`: its paced run, folded by module, as Markdown. */
export async function profileNatter(prosody: Prosody, bot: FloorBot, settings: FloorSettings, say: (line: string) => void): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'natter-bench-profile-'))
  const [script = '', ...rest] = bot.args
  const profiled: FloorBot = { ...bot, args: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${PROFILE_INTERVAL_US}`, script, ...rest] }
  await prosody.register('profile-load', LOAD_PASSWORD)
  const client = await LoadClient.connect({
    host: prosody.host,
    port: prosody.port,
    domain: prosody.domain,
    user: 'profile-load',
    password: LOAD_PASSWORD,
    resource: 'load',
  })
  try {
    let window: { fromUs: number; toUs: number } | undefined
    const result = await turn(prosody, client, profiled, `${bot.id}-profile`, { ...settings, idleMs: 0 }, (w) => {
      window = w
    })
    say(`profile: ${bot.id} under the profiler, ${Math.round(result.cpuUs)} µs/echo`)
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))
    if (file === undefined) throw new Error(`${bot.id} wrote no CPU profile: does it exit cleanly on SIGTERM?`)
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile
    const summary = summarizeProfile(profile, ROOT, window)
    return [
      `Where ${bot.label}'s time goes: one more paced run of ${settings.messages.toLocaleString('en-US')} messages under \`node --cpu-prof\` ` +
        `(sampling every ${PROFILE_INTERVAL_US} µs, which slows it), start and warm-up left out.`,
      '',
      renderProfile(summary),
    ].join('\n')
  } finally {
    await client.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
