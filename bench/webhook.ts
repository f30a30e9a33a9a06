// The web side: a signed webhook to a delivered chat message, natter's notify example next to the thinnest
// node:http + bare @xmpp/client relay (bench/bots/bare-relay.ts), timed from the POST to the recipient's client;
// and what /metrics costs on the paced echo (natter's echo example without PORT, then with PORT and a scrape a
// second).
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { portsInUse } from '../src/cli/sandbox/servers/live-servers.js'
import { freePort } from '../src/cli/sandbox/servers/loopback-ports.js'
import type { Prosody } from '../src/cli/sandbox/servers/prosody.js'
import { signBody } from '../src/index.js'
import { BotProcess, cpuSeconds } from './bot-process.js'
import { ROOT } from './bots.js'
import { LoadClient } from './load-client.js'
import { paced } from './paced.js'
import { median, percentile } from './stats.js'

export interface WebBenchSettings {
  readonly rounds: number
  /** Requests sent one at a time, each once the last one's message arrived. */
  readonly latencyRequests: number
  /** Requests of the throughput run, `concurrency` in flight at once. */
  readonly throughputRequests: number
  readonly concurrency: number
  /** Requests sent before measuring, not counted. */
  readonly warmup: number
  /** The paced echo of the /metrics cost: messages, and their rate a second. */
  readonly pacedMessages: number
  readonly pacedRate: number
}

export const WEB_FULL: WebBenchSettings = {
  rounds: 3,
  latencyRequests: 500,
  throughputRequests: 3_000,
  concurrency: 16,
  warmup: 300,
  pacedMessages: 1_500,
  pacedRate: 200,
}

export const WEB_QUICK: WebBenchSettings = { ...WEB_FULL, rounds: 1, latencyRequests: 100, throughputRequests: 500, warmup: 100, pacedMessages: 400 }

const SECRET = 'bench-webhook-secret'
const PASSWORD = 'bench-web'
const STALL_MS = 5_000

interface Relay {
  readonly id: 'natter' | 'bare'
  readonly label: string
  readonly script: string
}

const RELAYS: readonly Relay[] = [
  { id: 'natter', label: 'natter notify example', script: 'dist/examples/notify.js' },
  { id: 'bare', label: 'node:http + bare @xmpp/client', script: 'dist/bench/bots/bare-relay.js' },
]

interface RelaySample {
  readonly p50: number
  readonly p99: number
  /** Messages delivered a second, from the first POST to the last message's arrival. */
  readonly rate: number
  readonly lost: number
  readonly duplicates: number
  /** The relay's CPU time per delivered request in the throughput run, in µs. */
  readonly cpuUs: number
}

/** The recipient: resolves each awaited body as it arrives, and counts what came twice. */
class Inbox {
  readonly #waiting = new Map<string, () => void>()
  readonly #seen = new Set<string>()
  duplicates = 0

  constructor(client: LoadClient) {
    client.onBodies = (bodies) => {
      for (const body of bodies) {
        if (this.#seen.has(body)) this.duplicates += 1
        this.#seen.add(body)
        this.#waiting.get(body)?.()
        this.#waiting.delete(body)
      }
    }
  }

  /** Resolves true when `body` has arrived (or already had), false after `ms`. */
  arrival(body: string, ms = STALL_MS): Promise<boolean> {
    if (this.#seen.has(body)) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(body)
        resolve(false)
      }, ms)
      this.#waiting.set(body, () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
  }
}

function post(url: string, to: string, text: string): Promise<Response> {
  const body = JSON.stringify({ to, text })
  return fetch(`${url}/notify`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(SECRET, body) } })
}

async function healthy(url: string, proc: BotProcess): Promise<void> {
  for (;;) {
    const status = await fetch(`${url}/healthz`).then(
      (r) => r.status,
      () => 0,
    )
    if (status === 200) return
    if (!proc.running) throw new Error(`the relay exited: ${proc.output()}`)
    await sleep(100)
  }
}

/** Sends `count` requests, `concurrency` at once, each waiting for its answer; rejects on a status other than 202. */
async function flood(url: string, to: string, tag: string, count: number, concurrency: number): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      const n = next++
      const response = await post(url, to, `${tag}-${n}`)
      if (response.status !== 202) throw new Error(`request ${n} answered ${response.status}`)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

async function measureRelay(
  relay: Relay,
  account: string,
  prosody: Prosody,
  recipient: LoadClient,
  inbox: Inbox,
  settings: WebBenchSettings,
): Promise<RelaySample> {
  const port = await freePort(portsInUse())
  const url = `http://127.0.0.1:${port}`
  const jid = `${account}@${prosody.domain}`
  const proc = new BotProcess(
    { command: process.execPath, args: [path.join(ROOT, relay.script)] },
    { JID: jid, JPASSWORD: PASSWORD, XMPP_SERVICE: prosody.service, XMPP_RESOURCE: 'bench', PORT: String(port), WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'warn' },
  )
  const to = recipient.jid.split('/')[0] as string
  try {
    await healthy(url, proc)
    await proc.whileRunning(flood(url, to, `${account}-warm`, settings.warmup, settings.concurrency))
    await inbox.arrival(`${account}-warm-${settings.warmup - 1}`)

    const latencies: number[] = []
    for (let i = 0; i < settings.latencyRequests; i++) {
      const body = `${account}-rtt-${i}`
      const started = performance.now()
      await proc.whileRunning(post(url, to, body))
      if (await inbox.arrival(body)) latencies.push(performance.now() - started)
    }

    const duplicatesBefore = inbox.duplicates
    const cpuBefore = cpuSeconds(proc.pid)
    const started = performance.now()
    const tag = `${account}-load`
    const arrivals = Array.from({ length: settings.throughputRequests }, (_, n) => inbox.arrival(`${tag}-${n}`, 60_000))
    await proc.whileRunning(flood(url, to, tag, settings.throughputRequests, settings.concurrency))
    const delivered = (await Promise.all(arrivals)).filter(Boolean).length
    const seconds = (performance.now() - started) / 1000
    const cpu = cpuSeconds(proc.pid) - cpuBefore
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      rate: delivered / seconds,
      lost: settings.throughputRequests - delivered + (settings.latencyRequests - latencies.length),
      duplicates: inbox.duplicates - duplicatesBefore,
      cpuUs: (cpu * 1e6) / Math.max(1, delivered),
    }
  } finally {
    await proc.stop()
  }
}

/** The echo example's CPU per echo on the paced run, without PORT, or with PORT and /metrics scraped every second. */
async function pacedEcho(account: string, prosody: Prosody, sender: LoadClient, settings: WebBenchSettings, withMetrics: boolean): Promise<number> {
  const port = await freePort(portsInUse())
  const env: Record<string, string> = {
    JID: `${account}@${prosody.domain}`,
    JPASSWORD: PASSWORD,
    XMPP_SERVICE: prosody.service,
    XMPP_RESOURCE: 'bench',
    XMPP_LIMITS: 'off',
    LOG_LEVEL: 'warn',
  }
  if (withMetrics) env.PORT = String(port)
  const proc = new BotProcess({ command: process.execPath, args: [path.join(ROOT, 'dist/examples/echo.js')] }, env)
  let scraping: NodeJS.Timeout | undefined
  try {
    const base = { client: sender, to: env.JID as string, answerPrefix: 'You said: ', stallMs: 2_000, pid: proc.pid }
    // The first answers also tell that the bot is online.
    await proc.whileRunning(paced({ ...base, count: 300, rate: 500, tag: `${account}-warm` }))
    if (withMetrics) {
      const scrape = (): void =>
        void fetch(`http://127.0.0.1:${port}/metrics`).then(
          (r) => r.text(),
          () => '',
        )
      scrape()
      scraping = setInterval(scrape, 1_000)
    }
    const run = await proc.whileRunning(paced({ ...base, count: settings.pacedMessages, rate: settings.pacedRate, tag: `${account}-paced` }))
    return run.botCpuUs
  } finally {
    clearInterval(scraping)
    await proc.stop()
  }
}

/**
 * Runs the web benchmark against `prosody` and returns its section of the results, in Markdown; `say` gets a
 * line per measurement as it goes.
 */
export async function runWebBench(prosody: Prosody, settings: WebBenchSettings, say: (line: string) => void): Promise<string> {
  const accounts = Array.from({ length: settings.rounds }, (_, r) => [
    `hooknatter${r + 1}`,
    `hookbare${r + 1}`,
    `metricsoff${r + 1}`,
    `metricson${r + 1}`,
  ]).flat()
  await Promise.all([...accounts, 'hookrecv', 'hooksend'].map((user) => prosody.register(user, PASSWORD)))
  const login = { host: prosody.host, port: prosody.port, domain: prosody.domain, password: PASSWORD, resource: 'load' }
  const recipient = await LoadClient.connect({ ...login, user: 'hookrecv' })
  // Available, so that messages to the bare JID reach it.
  await recipient.write('<presence/>')
  const sender = await LoadClient.connect({ ...login, user: 'hooksend' })
  const inbox = new Inbox(recipient)
  const samples = new Map<string, RelaySample[]>(RELAYS.map((r) => [r.id, []]))
  const cpu = { off: [] as number[], on: [] as number[] }
  try {
    for (let round = 1; round <= settings.rounds; round++) {
      const order = round % 2 === 1 ? RELAYS : [...RELAYS].reverse()
      for (const relay of order) {
        const sample = await measureRelay(relay, `hook${relay.id}${round}`, prosody, recipient, inbox, settings)
        samples.get(relay.id)?.push(sample)
        say(
          `web round ${round}/${settings.rounds}  ${relay.id}: ${Math.round(sample.rate)} req/s, p50 ${sample.p50.toFixed(2)} ms, p99 ${sample.p99.toFixed(2)} ms`,
        )
      }
      cpu.off.push(await pacedEcho(`metricsoff${round}`, prosody, sender, settings, false))
      cpu.on.push(await pacedEcho(`metricson${round}`, prosody, sender, settings, true))
      say(
        `web round ${round}/${settings.rounds}  paced echo: ${Math.round(cpu.off.at(-1) ?? 0)} µs/echo without PORT, ${Math.round(cpu.on.at(-1) ?? 0)} with /metrics`,
      )
    }
  } finally {
    await recipient.close()
    await sender.close()
  }
  const row = (relay: Relay): string => {
    const s = samples.get(relay.id) ?? []
    const m = (pick: (x: RelaySample) => number) => median(s.map(pick))
    const sum = (pick: (x: RelaySample) => number) => s.reduce((total, x) => total + pick(x), 0)
    return `| ${relay.label} | ${Math.round(m((x) => x.rate))} | ${m((x) => x.p50).toFixed(2)} | ${m((x) => x.p99).toFixed(2)} | ${Math.round(m((x) => x.cpuUs))} | ${sum((x) => x.lost)} / ${sum((x) => x.duplicates)} |`
  }
  const off = median(cpu.off)
  const on = median(cpu.on)
  return [
    '### Webhook to chat message',
    '',
    `A signed \`POST /notify\` to a message in the recipient's client, median of ${settings.rounds} round(s): ${settings.latencyRequests} requests one at a time ` +
      `(each once the last one's message arrived) for the latency, then ${settings.throughputRequests.toLocaleString('en-US')} with ${settings.concurrency} in flight for the rate.`,
    '',
    '| relay | delivered req/s | p50 ms | p99 ms | relay CPU µs/req | lost / twice |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...RELAYS.map(row),
    '',
    `/metrics on the paced echo (${settings.pacedMessages.toLocaleString('en-US')} messages at ${settings.pacedRate} a second, scraped every second): ` +
      `${Math.round(off)} µs of CPU per echo without PORT, ${Math.round(on)} with it, ${(((on - off) / off) * 100).toFixed(1)}% more.`,
  ].join('\n')
}
