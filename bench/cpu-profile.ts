// Where a bot's CPU time goes: a V8 CPU profile (`node --cpu-prof`) folded by where the code lives. natter's own
// modules by file, node_modules by package, Node's internals by file, V8's builtins and the garbage collector
// as they are; idle time left out. Samples can be limited to a window, so that start and warm-up do not count.
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The parts of a `.cpuprofile` this reads (the format of the DevTools protocol's `Profiler.Profile`). */
export interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  }>
  /** Microseconds on the monotonic clock, as `process.hrtime()` reads it. */
  readonly startTime: number
  readonly endTime: number
  readonly samples: readonly number[]
  /** µs since the previous sample (the first: since `startTime`). */
  readonly timeDeltas: readonly number[]
}

export interface ProfileRow {
  /** `natter src/wire/transport.ts`, `pino`, `node:internal/timers`, `(garbage collector)`, ... */
  readonly where: string
  readonly ms: number
  /** Share of the busy (non-idle) time in the window. */
  readonly share: number
}

export interface ProfileSummary {
  /** Busy time sampled in the window, in ms. */
  readonly busyMs: number
  readonly byModule: readonly ProfileRow[]
  /** The functions with the most self time, as `name (where:line)`. */
  readonly topFunctions: readonly ProfileRow[]
}

/** A monotonic window in µs, on the clock the profile's timestamps use. */
export interface Window {
  readonly fromUs: number
  readonly toUs: number
}

/** The module a script URL belongs to, for folding: natter's files relative to `root`, packages by name. */
export function moduleOf(url: string, root: string): string {
  if (url === '') return '(V8 builtins and native code)'
  if (url.startsWith('node:')) return url
  const file = url.startsWith('file://') ? fileURLToPath(url) : url
  const modules = file.lastIndexOf(`${path.sep}node_modules${path.sep}`)
  if (modules !== -1) {
    const [scope = '', name = ''] = file.slice(modules + 14).split(path.sep)
    return scope.startsWith('@') ? `${scope}/${name}` : scope
  }
  const relative = path.relative(root, file)
  if (relative.startsWith('..')) return file
  // The built file stands for its source.
  return `natter ${relative.replace(/^dist\//, '').replace(/\.js$/, '.ts')}`
}

/** Self time of each function in `profile` (within `window`, if given), folded by module. */
export function summarizeProfile(profile: CpuProfile, root: string, window?: Window, top = 12): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const byModule = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let time = profile.startTime
  let busy = 0
  for (const [i, id] of profile.samples.entries()) {
    time += profile.timeDeltas[i] ?? 0
    // A sample stands for the time until the next one.
    const delta = profile.timeDeltas[i + 1] ?? 0
    if (window && (time < window.fromUs || time > window.toUs)) continue
    const frame = nodes.get(id)
    if (!frame || frame.functionName === '(idle)') continue
    const special = frame.functionName.startsWith('(') && frame.url === ''
    const where = special ? frame.functionName : moduleOf(frame.url, root)
    busy += delta
    byModule.set(where, (byModule.get(where) ?? 0) + delta)
    if (special) continue
    const name = `${frame.functionName || '(anonymous)'} (${where}:${frame.lineNumber + 1})`
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta)
  }
  const rows = (map: Map<string, number>, limit: number): ProfileRow[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([where, us]) => ({ where, ms: us / 1000, share: busy > 0 ? us / busy : 0 }))
  return { busyMs: busy / 1000, byModule: rows(byModule, Number.POSITIVE_INFINITY), topFunctions: rows(byFunction, top) }
}

/** The summary as Markdown: every module down to `minShare` of the busy time, folded groups first, then the functions. */
export function renderProfile(summary: ProfileSummary, minShare = 0.005): string {
  const group = (where: string): string => {
    if (where.startsWith('natter ')) return 'natter'
    if (where.startsWith('node:')) return 'node internals'
    if (where.startsWith('(')) return where
    return 'node_modules'
  }
  const groups = new Map<string, number>()
  for (const row of summary.byModule) groups.set(group(row.where), (groups.get(group(row.where)) ?? 0) + row.ms)
  const pct = (share: number): string => `${(share * 100).toFixed(1)}%`
  const busy = summary.busyMs || 1
  return [
    `${summary.busyMs.toFixed(0)} ms sampled while busy (idle left out; on a loaded machine this counts time the process waited for a core, so read the shares), by self time:`,
    '',
    '| where | ms | share |',
    '| --- | ---: | ---: |',
    ...[...groups].sort((a, b) => b[1] - a[1]).map(([where, ms]) => `| **${where}** | ${ms.toFixed(0)} | ${pct(ms / busy)} |`),
    ...summary.byModule.filter((row) => row.share >= minShare).map((row) => `| ${row.where} | ${row.ms.toFixed(0)} | ${pct(row.share)} |`),
    '',
    '| function (self time; line in the built file) | ms | share |',
    '| --- | ---: | ---: |',
    ...summary.topFunctions.map((row) => `| ${row.where} | ${row.ms.toFixed(0)} | ${pct(row.share)} |`),
  ].join('\n')
}
