// One round of one bot: start it, time how long until it answers, read its idle memory, then load it: one
// message at a time, then at a steady pace, then as fast as it goes.
import { setTimeout as sleep } from 'node:timers/promises'
import { type BlastResult, blast } from './blast.js'
import { BotProcess, rssMb } from './bot-process.js'
import type { BotUnderTest } from './bots.js'
import { answerAfter, roundTrips } from './latency.js'
import { chatMessage, type LoadClient } from './load-client.js'
import { type PacedResult, paced } from './paced.js'
import type { BenchSettings } from './settings.js'
import { percentile } from './stats.js'

/** What the bots run against: the server and the load client's connections. */
export interface Rig {
  /** `xmpp://127.0.0.1:<port>`. */
  readonly service: string
  readonly domain: string
  readonly serverPid: number
  readonly senders: readonly LoadClient[]
}

export interface BotSample {
  /** From spawning the process to the answer to a message that waited for it on the server, in ms. */
  readonly onlineMs: number
  readonly idleRssMb: number
  readonly throughput: BlastResult
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly latencyLost: number
  /** The bot's CPU time per echoed message during the throughput run, in µs. */
  readonly botCpuUs: number
  /** The server's CPU during the throughput run, in cores. */
  readonly serverCpu: number
  /** Messages sent one at a time at a steady rate: the bot's CPU per echo there, and answers lost. */
  readonly paced: PacedResult
}

export const BOT_PASSWORD = 'bench-secret'
const ANSWER = 'You said: '
const ONLINE_TIMEOUT_MS = 30_000

/** Runs one round against `bot`, logged in as `account` (fresh, so nothing is left from earlier rounds). */
export async function measureBot(bot: BotUnderTest, account: string, rig: Rig, settings: BenchSettings): Promise<BotSample> {
  const jid = `${account}@${rig.domain}`
  const [first] = rig.senders
  if (!first) throw new Error('no load connections')
  // The server keeps this for the bot and hands it over once the bot is online and available.
  const probe = `${account}-probe`
  void first.write(chatMessage(jid, probe))
  await first.ping()

  const answered = answerAfter(first, `${ANSWER}${probe}`, performance.now(), ONLINE_TIMEOUT_MS)
  // A few senders blast thousands of messages each: natter's per-sender limits would drop most of them.
  const proc = new BotProcess(bot, { JID: jid, JPASSWORD: BOT_PASSWORD, XMPP_SERVICE: rig.service, XMPP_RESOURCE: 'bench', XMPP_LIMITS: 'off' })
  try {
    const onlineMs = await proc.whileRunning(answered)
    await sleep(settings.idleMs)
    const idleRssMb = rssMb(proc.pid)

    const load = { senders: rig.senders, receivers: rig.senders, to: jid, answerPrefix: ANSWER, window: settings.window }
    const limits = { maxMs: settings.maxMs, stallMs: settings.stallMs }
    await proc.whileRunning(blast({ ...load, ...limits, count: settings.warmup, tag: `${account}-warmup` }))

    const latency = await proc.whileRunning(roundTrips(first, jid, settings.roundTrips, `${account}-rtt`, ANSWER))

    const steady = { client: first, to: jid, answerPrefix: ANSWER, count: settings.pacedMessages, rate: settings.pacedRate, stallMs: settings.stallMs }
    const pacedRun = await proc.whileRunning(paced({ ...steady, tag: `${account}-paced`, pid: proc.pid }))

    const watch = [proc.pid, rig.serverPid]
    const throughput = await proc.whileRunning(blast({ ...load, ...limits, count: settings.messages, tag: `${account}-load`, watch }))
    const [botUsed = 0, serverUsed = 0] = throughput.watchedCpu
    return {
      onlineMs,
      idleRssMb,
      throughput,
      p50: percentile(latency.samples, 50),
      p90: percentile(latency.samples, 90),
      p99: percentile(latency.samples, 99),
      latencyLost: latency.lost,
      botCpuUs: (botUsed * 1e6) / Math.max(1, throughput.answered),
      serverCpu: serverUsed / throughput.seconds,
      paced: pacedRun,
    }
  } finally {
    await proc.stop()
  }
}
