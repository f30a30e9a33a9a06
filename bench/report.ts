// The results as Markdown: medians, ratios and targets, for stdout and for BENCHMARKS.md.
import type { BotUnderTest } from './bots.js'
import type { CeilingSample } from './ceiling.js'
import type { DispatchSample } from './dispatch.js'
import type { Machine } from './machine.js'
import type { BotSample } from './measure.js'
import type { BenchSettings } from './settings.js'
import { median } from './stats.js'

export interface Results {
  readonly machine: Machine
  readonly settings: BenchSettings
  readonly date: Date
  readonly minutes: number
  /** The 1-minute load average before the run, and the share of the machine's CPU other processes took during it. */
  readonly load: { readonly before: number; readonly others: number }
  readonly ceiling: readonly CeilingSample[]
  readonly bots: ReadonlyArray<{ readonly bot: BotUnderTest; readonly samples: readonly BotSample[] }>
  /** Why a bot has no column, when it has none. */
  readonly skipped: readonly string[]
  readonly dispatch: readonly DispatchSample[]
}

interface Row {
  readonly label: string
  readonly rate: number
  readonly lost: number
  readonly duplicates: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly rssMb: number
  readonly onlineMs: number
  readonly botCpuUs: number
  readonly serverCpu: number
  readonly loadCpu: number
  /** Bot CPU per echo when messages come one at a time at a steady rate. */
  readonly pacedCpuUs: number
  readonly pacedLost: number
  readonly pacedDuplicates: number
}

function summarize(label: string, samples: readonly BotSample[]): Row {
  const m = (pick: (s: BotSample) => number): number => median(samples.map(pick))
  return {
    label,
    rate: m((s) => s.throughput.rate),
    lost: samples.reduce((sum, s) => sum + s.throughput.lost + s.latencyLost, 0),
    duplicates: samples.reduce((sum, s) => sum + s.throughput.duplicates, 0),
    p50: m((s) => s.p50),
    p90: m((s) => s.p90),
    p99: m((s) => s.p99),
    rssMb: m((s) => s.idleRssMb),
    onlineMs: m((s) => s.onlineMs),
    botCpuUs: m((s) => s.botCpuUs),
    serverCpu: m((s) => s.serverCpu),
    loadCpu: m((s) => s.throughput.loadCpu),
    pacedCpuUs: m((s) => s.paced.botCpuUs),
    pacedLost: samples.reduce((sum, s) => sum + s.paced.lost, 0),
    pacedDuplicates: samples.reduce((sum, s) => sum + s.paced.duplicates, 0),
  }
}

const int = (n: number): string => (Number.isNaN(n) ? '–' : Math.round(n).toLocaleString('en-US'))
const fixed = (n: number, digits: number): string => (Number.isNaN(n) ? '–' : n.toFixed(digits))
const signed = (n: number, digits: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`
const yes = (met: boolean): string => (met ? '**met**' : '**missed**')

function echoTable(rows: readonly Row[], ceiling: readonly CeilingSample[]): string[] {
  const relay = median(ceiling.map((c) => c.rate))
  return [
    '| | echo msg/s | lost / dup | p50 ms | p90 ms | p99 ms | idle RSS MB | start→online ms | bot CPU µs/msg | server CPU | load client CPU |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${int(r.rate)} | ${r.lost} / ${r.duplicates} | ${fixed(r.p50, 2)} | ${fixed(r.p90, 2)} | ${fixed(r.p99, 2)} | ` +
        `${fixed(r.rssMb, 1)} | ${int(r.onlineMs)} | ${int(r.botCpuUs)} | ${fixed(r.serverCpu, 2)} | ${fixed(r.loadCpu, 2)} |`,
    ),
    `| Prosody relay, no bot (ceiling) | ${int(relay)} relayed | ${ceiling.reduce((s, c) => s + c.lost, 0)} / ${ceiling.reduce((s, c) => s + c.duplicates, 0)} ` +
      `| | | | | | | ${fixed(median(ceiling.map((c) => c.serverCpu)), 2)} | ${fixed(median(ceiling.map((c) => c.loadCpu)), 2)} |`,
  ]
}

function pacedTable(rows: readonly Row[]): string[] {
  return [
    '| | one at a time: bot CPU µs/msg | under full load: bot CPU µs/msg | lost / dup |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.label} | ${int(r.pacedCpuUs)} | ${int(r.botCpuUs)} | ${r.pacedLost} / ${r.pacedDuplicates} |`),
  ]
}

function dispatchTable(samples: readonly DispatchSample[]): { lines: string[]; handlerRatio: number; routerRatio: number } {
  const find = (label: string, count: number): DispatchSample | undefined => samples.find((s) => s.label === label && s.count === count)
  const counts = [...new Set(samples.map((s) => s.count))].sort((a, b) => a - b)
  const first = counts[0] ?? 1
  const last = counts.at(-1) ?? 1
  const ratio = (label: string, pick: (s: DispatchSample) => number | undefined): number =>
    (pick(find(label, last) as DispatchSample) ?? Number.NaN) / (pick(find(label, first) as DispatchSample) ?? Number.NaN)
  const handlerRatio = ratio('handlers', (s) => s.botUs)
  const routerRatio = ratio('handlers', (s) => s.routerUs)
  const commandRatio = ratio('commands', (s) => s.botUs)
  return {
    handlerRatio,
    routerRatio,
    lines: [
      '| registered | handlers: whole path µs | handlers: router alone µs | commands: whole path µs |',
      '| ---: | ---: | ---: | ---: |',
      ...counts.map(
        (n) =>
          `| ${int(n)} | ${fixed(find('handlers', n)?.botUs ?? Number.NaN, 2)} | ${fixed(find('handlers', n)?.routerUs ?? Number.NaN, 3)} | ` +
          `${fixed(find('commands', n)?.botUs ?? Number.NaN, 2)} |`,
      ),
      `| ${int(last)} ÷ ${int(first)} | ${fixed(handlerRatio, 2)}× | ${fixed(routerRatio, 2)}× | ${fixed(commandRatio, 2)}× |`,
    ],
  }
}

/** The results section of BENCHMARKS.md, which is also what a run prints. */
export function renderResults(results: Results): string {
  const { machine: m, settings: s } = results
  const rows = results.bots.map(({ bot, samples }) => summarize(bot.label, samples))
  const byId = new Map(results.bots.map(({ bot }, i) => [bot.id, rows[i] as Row]))
  const natter = byId.get('natter')
  const bare = byId.get('bare')
  const slixmpp = byId.get('slixmpp')
  const dispatch = dispatchTable(results.dispatch)
  const relay = median(results.ceiling.map((c) => c.rate))
  const fastest = Math.max(...rows.map((r) => r.rate))
  const busiestLoad = Math.max(...rows.map((r) => r.loadCpu))

  const lines = [
    '## Results',
    '',
    `One run on one machine, ${results.date.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${s.rounds} round(s) in ${results.minutes.toFixed(1)} minutes: ` +
      'each figure is the median over the rounds, except lost and duplicated answers, which are totals. ' +
      `Load average (1 min) before the run ${results.load.before.toFixed(2)}; other processes took ` +
      `${(results.load.others * 100).toFixed(1)}% of the machine's CPU during it.`,
    '',
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGb} GB, ${m.kernel}; Node ${m.node}; Prosody ${m.prosody}; ` +
      `Python ${m.python} with slixmpp ${m.slixmpp}; @xmpp/client ${m.xmppClient}; natter ${m.natter}.`,
    '',
    `Load: ${s.senders} sender connections, ${s.window} messages in flight, ${int(s.messages)} messages per throughput run ` +
      `after ${int(s.warmup)} to warm up; ${int(s.roundTrips)} closed-loop round trips and ${int(s.pacedMessages)} paced messages per round.`,
    '',
    ...echoTable(rows, results.ceiling),
    '',
  ]
  for (const reason of results.skipped) lines.push(`Not measured: ${reason}.`, '')
  if (natter && bare) {
    lines.push(
      `natter / bare @xmpp/client: throughput ${fixed(natter.rate / bare.rate, 2)}×, p99 ${signed(natter.p99 - bare.p99, 2)} ms, ` +
        `idle RSS ${signed(natter.rssMb - bare.rssMb, 1)} MB, start→online ${fixed(natter.onlineMs / bare.onlineMs, 2)}×, ` +
        `CPU per message ${fixed(natter.botCpuUs / bare.botCpuUs, 2)}× under full load, ${fixed(natter.pacedCpuUs / bare.pacedCpuUs, 2)}× one at a time.`,
    )
  }
  if (natter && slixmpp) {
    lines.push(
      `natter / slixmpp: throughput ${fixed(natter.rate / slixmpp.rate, 2)}×, p99 ${signed(natter.p99 - slixmpp.p99, 2)} ms, ` +
        `idle RSS ${signed(natter.rssMb - slixmpp.rssMb, 1)} MB, start→online ${fixed(natter.onlineMs / slixmpp.onlineMs, 2)}×, ` +
        `CPU per message ${fixed(natter.botCpuUs / slixmpp.botCpuUs, 2)}× under full load, ${fixed(natter.pacedCpuUs / slixmpp.pacedCpuUs, 2)}× one at a time.`,
    )
  }
  const headroom = relay >= 1.5 * fastest && busiestLoad <= 0.5
  lines.push(
    '',
    `${headroom ? 'The load client is not the bottleneck' : 'WARNING: the load client may be a bottleneck in this run'}: ` +
      `in the ceiling run it sent and took ${int(relay)} messages/s each way (${fixed(relay / fastest, 1)}× the fastest bot's echo rate) ` +
      `using ${fixed(median(results.ceiling.map((c) => c.loadCpu)), 2)} of a core, and during the echo runs it used at most ${fixed(busiestLoad, 2)} of a core.`,
  )
  const busiestServer = Math.max(...rows.map((r) => r.serverCpu))
  if (busiestServer >= 0.85) {
    lines.push(
      `The server is the bottleneck: Prosody handles every connection on one thread and used up to ${fixed(busiestServer, 2)} of a core during ` +
        'the echo runs, where each echo costs it two relays. The bots that keep up with it run at its pace, and their CPU per ' +
        'message tells them apart better than their rate.',
    )
  }
  lines.push(
    '',
    '### One message at a time',
    '',
    `What most bots see: ${int(s.pacedMessages)} messages per round sent one at a time, ${int(s.pacedRate)} a second, each answered before ` +
      "the next one leaves, so nothing is batched on either side. The bot's CPU time over the run per echo, next to the same figure from " +
      'the throughput run above.',
    '',
    ...pacedTable(rows),
  )
  lines.push('', '### Targets', '', '| target | measured | | |', '| --- | ---: | --- | --- |')
  const cpu = (a: Row, b: Row): string => `CPU per message ${fixed(a.botCpuUs / b.botCpuUs, 2)}×`
  const paced = (...pair: Row[]): string => (pair.every((r) => r.serverCpu >= 0.85) ? `; both ran at the server's pace` : '')
  if (natter && bare) {
    lines.push(
      `| throughput ≥ 0.95 × bare | ${fixed(natter.rate / bare.rate, 2)}× | ${yes(natter.rate >= 0.95 * bare.rate)} | ${cpu(natter, bare)}${paced(natter, bare)} |`,
      `| p99 latency within 1 ms of bare | ${signed(natter.p99 - bare.p99, 2)} ms | ${yes(natter.p99 - bare.p99 <= 1)} | |`,
      `| idle RSS within 10 MB of bare | ${signed(natter.rssMb - bare.rssMb, 1)} MB | ${yes(natter.rssMb - bare.rssMb <= 10)} | |`,
      `| CPU per message one at a time ≤ 1.1 × bare | ${fixed(natter.pacedCpuUs / bare.pacedCpuUs, 2)}× | ${yes(natter.pacedCpuUs <= 1.1 * bare.pacedCpuUs)} | |`,
    )
  }
  if (natter && slixmpp) {
    lines.push(
      `| throughput ≥ 2 × slixmpp | ${fixed(natter.rate / slixmpp.rate, 2)}× | ${yes(natter.rate >= 2 * slixmpp.rate)} | ${cpu(natter, slixmpp)}${paced(natter, slixmpp)} |`,
    )
  }
  lines.push(
    `| 1,000 non-matching handlers cost ≤ 2 × one | ${fixed(dispatch.handlerRatio, 2)}× | ` +
      `${yes(dispatch.handlerRatio <= 2 && dispatch.routerRatio <= 2)} | router alone ${fixed(dispatch.routerRatio, 2)}× |`,
    '',
    '### Dispatch, in memory',
    '',
    'µs per stanza: the median of 7 batches, the three sizes taking turns. The extra handlers and commands cannot match the stanza and are registered before the one that does.',
    '',
    ...dispatch.lines,
  )
  return lines.join('\n')
}

const BEGIN = '<!-- results:begin (written by `npm run bench`; edits below this line are overwritten) -->'
const END = '<!-- results:end -->'

/** `document` with its results section replaced (or appended, when it has none). */
export function withResults(document: string, section: string): string {
  const block = `${BEGIN}\n${section}\n${END}`
  const begin = document.indexOf(BEGIN)
  const end = document.indexOf(END)
  if (begin === -1 || end < begin) return `${document.trimEnd()}\n\n${block}\n`
  return `${document.slice(0, begin)}${block}${document.slice(end + END.length)}`
}
