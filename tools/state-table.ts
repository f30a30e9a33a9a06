// `npm run recovery`'s state table: the state drills of tools/state-drill.ts (a counter per sender in ctx.state and a
// durable reminder per sender, across a SIGTERM handover and a SIGKILL takeover) on a fresh Prosody, and on a fresh
// ejabberd when it is installed, each `runs` times.
import { startProsody } from '../src/cli/sandbox/servers/prosody.js'
import { findEjabberd, startEjabberd } from './ejabberd.js'
import { type DrillSetup, prepareDrills } from './formation-drill.js'
import { type StateDrillResult, stateDrills } from './state-drill.js'

const PASSWORD = 'recovery-state-pw-1'
const COLUMNS = 10

/** A fresh server, its drill setup, and how to stop it. */
type Server = () => Promise<{ setup: DrillSetup; stop(): Promise<unknown> }>

function row(name: string, results: readonly StateDrillResult[]): string {
  const sum = (of: (r: StateDrillResult) => number): number => results.reduce((total, r) => total + of(r), 0)
  const worst = (of: (r: StateDrillResult) => number): number => Math.max(...results.map(of))
  const cells = [
    name,
    results.length,
    sum((r) => r.lost.length),
    worst((r) => r.doubled.length),
    sum((r) => r.increments.lost),
    sum((r) => r.increments.extra),
    sum((r) => r.conflicts),
    sum((r) => r.reminders.missing),
    sum((r) => r.reminders.doubled),
  ]
  return `| ${cells.join(' | ')} |`
}

async function rows(server: string, start: Server, runs: number): Promise<string[]> {
  let running: Awaited<ReturnType<Server>>
  try {
    running = await start()
  } catch (error) {
    return [`| ${server}: not measured (${error instanceof Error ? error.message : String(error)}) |${' |'.repeat(COLUMNS - 2)}`]
  }
  try {
    const lines: string[] = []
    for (const [name, drill] of [
      ['bot=2, SIGTERM to one under traffic', stateDrills.sigterm],
      ['bot=2, SIGKILL to one under traffic', stateDrills.sigkill],
    ] as const) {
      const results: StateDrillResult[] = []
      for (let run = 0; run < runs; run++) results.push(await drill(running.setup))
      lines.push(row(`${server}: ${name}`, results))
    }
    return lines
  } finally {
    await running.stop()
  }
}

/** The state drills on Prosody, then on ejabberd when it is installed: a Markdown table. */
export async function stateTable(runs: number): Promise<string> {
  const lines = [
    '| state drill | runs | replies lost (all runs) | replies doubled (worst run) | increments lost | increments extra | saves refused | reminders missing | reminders doubled |',
    `|${' --- |'.repeat(COLUMNS - 1)}`,
  ]
  lines.push(
    ...(await rows(
      'Prosody',
      async () => {
        const prosody = await startProsody({ muc: false, smacksHibernation: 120 })
        return { setup: await prepareDrills(prosody, PASSWORD), stop: () => prosody.stop() }
      },
      runs,
    )),
  )
  if (findEjabberd()) {
    lines.push(
      ...(await rows(
        'ejabberd',
        async () => {
          // SCRAM-SHA-1 credentials: the senders are plain xmpp.js clients, which know no SCRAM-SHA-256.
          const ejabberd = await startEjabberd({ resumeTimeout: 120, scramHash: 'sha1' })
          return { setup: await prepareDrills(ejabberd, PASSWORD), stop: () => ejabberd.stop() }
        },
        runs,
      )),
    )
  }
  return lines.join('\n')
}
