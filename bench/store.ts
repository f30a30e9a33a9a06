// `npm run bench -- --store`: bot.store's cost on each back end side by side (memory, the bot's XMPP account on a
// private Prosody, a private PostgreSQL cluster): get, set and update one at a time (p50/p99), and sets with
// several in flight on distinct existing keys (throughput).
import { type Bot, createBot } from 'natter'
import type { Prosody } from '../src/cli/sandbox/servers/prosody.js'
import { startPostgres } from '../test/support/postgres.js'
import { percentile } from './stats.js'

export interface StoreBenchSettings {
  /** Calls of each kind timed one at a time. */
  readonly calls: number
  /** Sets of the throughput run, `concurrency` in flight at once. */
  readonly throughputCalls: number
  readonly concurrency: number
}

export const STORE_FULL: StoreBenchSettings = { calls: 500, throughputCalls: 2_000, concurrency: 16 }
export const STORE_QUICK: StoreBenchSettings = { calls: 50, throughputCalls: 200, concurrency: 8 }

interface Row {
  readonly backend: string
  readonly ms: Record<'get' | 'set' | 'update', readonly number[]>
  readonly perSecond: number
}

/** Times `call` `count` times, one after the other, in ms. */
async function timed(count: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = []
  for (let i = 0; i < count; i++) {
    const start = performance.now()
    await call(i)
    samples.push(performance.now() - start)
  }
  return samples
}

async function measure(backend: string, bot: Bot, settings: StoreBenchSettings): Promise<Row> {
  const store = bot.store.namespace('bench')
  const value = { items: ['milk', 'eggs', 'bread'], count: 3 }
  await store.set('warm', value)
  const set = await timed(settings.calls, (i) => store.set(`k${i % 20}`, value))
  const get = await timed(settings.calls, (i) => store.get(`k${i % 20}`))
  const update = await timed(settings.calls, () => store.update<number>('counter', (n = 0) => n + 1))
  // Each writer on a key of its own that exists already: the first write of a key also lists it, which writers of new keys contend for.
  const writers = Array.from({ length: settings.concurrency }, (_, w) => `t${w}`)
  for (const key of writers) await store.set(key, value)
  let next = 0
  const start = performance.now()
  await Promise.all(
    writers.map(async (key) => {
      while (next++ < settings.throughputCalls) await store.set(key, value)
    }),
  )
  const perSecond = settings.throughputCalls / ((performance.now() - start) / 1000)
  return { backend, ms: { get, set, update }, perSecond }
}

function render(rows: readonly Row[], settings: StoreBenchSettings): string {
  const ms = (samples: readonly number[], p: number): string => percentile(samples, p).toFixed(2)
  return [
    `bot.store, ${settings.calls} calls of each kind one at a time, then ${settings.throughputCalls} sets ${settings.concurrency} at a time (ms)`,
    '',
    '| back end | get p50 | get p99 | set p50 | set p99 | update p50 | update p99 | sets/s |',
    '| --- | --: | --: | --: | --: | --: | --: | --: |',
    ...rows.map(
      (r) =>
        `| ${r.backend} | ${ms(r.ms.get, 50)} | ${ms(r.ms.get, 99)} | ${ms(r.ms.set, 50)} | ${ms(r.ms.set, 99)} | ${ms(r.ms.update, 50)} | ${ms(r.ms.update, 99)} | ${Math.round(r.perSecond)} |`,
    ),
  ].join('\n')
}

/** Measures each back end with a bot of its own on `prosody`, and returns the Markdown table. */
export async function runStoreBench(prosody: Prosody, settings: StoreBenchSettings, say: (line: string) => void): Promise<string> {
  const postgres = await startPostgres()
  const bots: Bot[] = []
  try {
    const jid = await prosody.register('storebench', 'bench-store')
    const backends: Array<[string, Record<string, string>]> = [
      ['memory', { STORE_BACKEND: 'memory' }],
      ['XMPP account (Prosody)', {}],
      ['PostgreSQL', { DATABASE_URL: await postgres.createDatabase('bench') }],
    ]
    const rows: Row[] = []
    for (const [name, env] of backends) {
      say(`store: ${name}`)
      const bot = createBot({ env, jid: `${jid}/${bots.length}`, password: 'bench-store', service: prosody.service, logLevel: 'silent', formation: false })
      bots.push(bot)
      await bot.start()
      rows.push(await measure(name, bot, settings))
    }
    return render(rows, settings)
  } finally {
    await Promise.all(bots.map((bot) => bot.stop(1_000)))
    await postgres.stop()
  }
}
