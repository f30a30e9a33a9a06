// `npm run bench -- --store`, second part: the bot's CPU per echo of a handler that reads and writes ctx.state,
// on the memory store and on the bot's XMPP account, beside the same handler without state, all three running at
// once (bench/side-by-side.ts) so that a busy machine weighs on them alike.
import path from 'node:path'
import type { Prosody } from '../src/cli/sandbox/servers/prosody.js'
import { ROOT } from './bots.js'
import type { BenchSettings } from './settings.js'
import { type SideBySideBot, sideBySide } from './side-by-side.js'
import { median } from './stats.js'

const SCRIPT = path.join(ROOT, 'dist/bench/bots/state-echo.js')

const BOTS: readonly SideBySideBot[] = [
  { id: 'nostate', label: 'echo, no state', command: process.execPath, args: [SCRIPT], env: { BENCH_STATE: 'off' } },
  { id: 'statemem', label: 'echo + ctx.state, memory store', command: process.execPath, args: [SCRIPT], env: { STORE_BACKEND: 'memory' } },
  { id: 'statexmpp', label: 'echo + ctx.state, XMPP account (Prosody)', command: process.execPath, args: [SCRIPT], env: { STORE_BACKEND: 'xmpp' } },
]

/**
 * Messages a second: each one is a write to the store, one after another in a conversation, and the XMPP account's
 * writes take milliseconds (see the table above it); faster, the queue behind them would grow for the whole run.
 */
const RATE = 20
const WARMUP = { count: 200, rate: RATE * 2 }

/** How much the ctx.state comparison measures. */
export const STATE_FULL = { rounds: 3, pacedMessages: 600 }
export const STATE_QUICK = { rounds: 1, pacedMessages: 100 }

/** Runs the three bots side by side on `prosody`, and returns the Markdown table. */
export async function runStateCpuBench(prosody: Prosody, base: BenchSettings, measured: typeof STATE_FULL, say: (line: string) => void): Promise<string> {
  const settings: BenchSettings = { ...base, ...measured, pacedRate: RATE }
  const samples = await sideBySide(prosody, BOTS, settings, say, WARMUP)
  const without = median(samples.get('nostate') ?? [])
  return [
    `ctx.state, side by side, ${settings.rounds} round(s): ${settings.pacedMessages.toLocaleString('en-US')} messages one at a time, ` +
      `${settings.pacedRate} a second, from one sender to each bot; the bot's CPU per echo, median over the rounds ` +
      '(a save per message: each one changes the state).',
    '',
    '| handler | bot CPU µs/msg | ÷ no state |',
    '| --- | ---: | ---: |',
    ...BOTS.map((bot) => {
      const cpu = median(samples.get(bot.id) ?? [])
      return `| ${bot.label} | ${Math.round(cpu)} | ${(cpu / without).toFixed(2)}× |`
    }),
  ].join('\n')
}
