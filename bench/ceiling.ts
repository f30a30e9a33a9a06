// The ceiling: how many messages the server relays from client to client when no bot is in the way.
import { blast } from './blast.js'
import type { LoadClient } from './load-client.js'
import type { Rig } from './measure.js'
import type { BenchSettings } from './settings.js'

export interface CeilingSample {
  /** Messages relayed per second, one hop each. */
  readonly rate: number
  readonly lost: number
  readonly duplicates: number
  /** The server's CPU during the run, in cores. */
  readonly serverCpu: number
  /** The load client's CPU during the run, in cores. */
  readonly loadCpu: number
}

/** The same load as the bots get, sent to `sink` instead of a bot: each answer is the message itself. */
export async function measureCeiling(rig: Rig, sink: LoadClient, settings: BenchSettings, tag: string): Promise<CeilingSample> {
  const load = { senders: rig.senders, receivers: [sink], to: sink.jid, answerPrefix: '', window: settings.window }
  const limits = { maxMs: settings.maxMs, stallMs: settings.stallMs }
  await blast({ ...load, ...limits, count: settings.warmup, tag: `${tag}-warmup` })
  const run = await blast({ ...load, ...limits, count: settings.messages, tag: `${tag}-load`, watch: [rig.serverPid] })
  return {
    rate: run.rate,
    lost: run.lost,
    duplicates: run.duplicates,
    serverCpu: (run.watchedCpu[0] ?? 0) / run.seconds,
    loadCpu: run.loadCpu,
  }
}
