// Runs a built bot script as a child process, the way the Procfile does, and records all it prints.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitUntil } from './wait-until.js'

/** The repository root: the nearest folder above this module with a package.json (from tools/ in tests, dist/tools/ when built). */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)))

function findRoot(dir: string): string {
  if (existsSync(join(dir, 'package.json'))) return dir
  const parent = dirname(dir)
  if (parent === dir) throw new Error('no package.json above tools/')
  return findRoot(parent)
}

export interface BotProcess {
  readonly child: ChildProcess
  /** Everything written to stdout and stderr so far. */
  output(): string
  stderr(): string
  /** The stdout JSON log lines so far, parsed. */
  logs(): readonly Record<string, unknown>[]
  /** Resolves with the first stdout JSON log line for which `pred` holds. */
  waitForLog(pred: (entry: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>
  /** Resolves when the process ends, with its exit code (or the signal that ended it). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>
  kill(signal?: NodeJS.Signals): void
  /** The process's resident memory now, in MB. */
  rssMb(): number
}

/**
 * Starts `node <script> ...args` from the repository root with exactly `env` (plus PATH), so neither
 * the test runner's environment nor a developer's `.env` can leak in: the bot's cwd is a fresh dir.
 * `launcher` is a command that execs the rest in place (such as `ip netns exec <name>`), so the child is still the bot.
 */
export function startBotProcess(script: string, env: Record<string, string>, args: string[] = [], cwd?: string, launcher: readonly string[] = []): BotProcess {
  const started = Date.now()
  const ownDir = cwd === undefined ? mkdtempSync(join(tmpdir(), 'natter-bot-')) : undefined
  const [command, ...before] = [...launcher, process.execPath]
  const child = spawn(command as string, [...before, join(ROOT, script), ...args], {
    cwd: cwd ?? ownDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const lines: Record<string, unknown>[] = []
  /** Where the first line not parsed yet starts in `out`. */
  let parsed = 0
  const waiters = new Set<() => void>()
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    // Only whole lines: a long one may arrive in several chunks.
    const end = out.lastIndexOf('\n') + 1
    for (const line of out.slice(parsed, end).split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>)
    parsed = Math.max(parsed, end)
    for (const w of waiters) w()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) =>
    child.on('exit', (code, signal) => {
      if (ownDir) rmSync(ownDir, { recursive: true, force: true })
      resolve({ code, signal, ms: Date.now() - started })
      for (const w of waiters) w()
    }),
  )
  return {
    child,
    output: () => out + err,
    stderr: () => err,
    logs: () => lines,
    exited,
    kill: (signal = 'SIGTERM') => child.kill(signal),
    rssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024
    },
    waitForLog(pred, ms = 10_000) {
      const find = (): Record<string, unknown> | undefined => {
        const found = lines.find(pred)
        if (!found && child.exitCode !== null) throw new Error(`bot exited (${child.exitCode}) before the log line came:\n${out}${err}`)
        return found
      }
      return waitUntil(waiters, find, ms, () => `no such log line within ${ms} ms:\n${out}${err}`)
    },
  }
}

/** Samples `bot`'s resident memory every `everyMs` until stopped; `stop()` returns the largest figure seen, in MB. */
export function watchMemory(bot: BotProcess, everyMs = 100): { stop(): number } {
  let peak = bot.rssMb()
  const timer = setInterval(() => {
    peak = Math.max(peak, bot.rssMb())
  }, everyMs)
  return {
    stop() {
      clearInterval(timer)
      return Math.max(peak, bot.rssMb())
    },
  }
}
