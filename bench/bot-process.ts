// A bot under test as a child process, started the way a Procfile runner starts it: its own command, the
// configuration in the environment only, a working directory of its own (so no .env file can leak in).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const STOP_GRACE_MS = 5_000
const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100

/** Bots still running, so that none outlives an interrupted run. */
const live = new Set<BotProcess>()

/** Kills every bot still running, at once; for an interrupted run. */
export function killAllBots(): void {
  for (const bot of live) bot.kill()
}

export interface BotCommand {
  readonly command: string
  readonly args: readonly string[]
}

/** The fields of /proc/<pid>/stat after the parenthesised command name, which may hold spaces: field 3 first. */
function statFields(pid: number | 'self'): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/** CPU time a process has used so far, in seconds (all its threads, user and system: fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid)
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

/** CPU time of this process and of its children that have ended (fields 14 to 17), in seconds. */
export function ownCpuSeconds(): number {
  const fields = statFields('self')
  return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / TICKS_PER_SECOND
}

/** CPU time the whole machine has spent busy so far, all cores together, in seconds. */
export function machineCpuSeconds(): number {
  const [, user, nice, system, , , irq, softirq, steal] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/)
  return [user, nice, system, irq, softirq, steal].reduce((sum, ticks) => sum + Number(ticks), 0) / TICKS_PER_SECOND
}

/** The pid a daemon writes to `file`, waiting up to `ms` for the file to appear. */
export async function pidFrom(file: string, ms = 5_000): Promise<number> {
  const deadline = performance.now() + ms
  for (;;) {
    const pid = Number(existsSync(file) ? readFileSync(file, 'utf8').trim() : '')
    if (Number.isInteger(pid) && pid > 0) return pid
    if (performance.now() > deadline) throw new Error(`no pid in ${file} after ${ms} ms`)
    await sleep(10)
  }
}

/** Resident memory of a process, in MB. */
export function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!match) throw new Error(`no VmRSS for process ${pid}`)
  return Number(match[1]) / 1024
}

export class BotProcess {
  readonly #child: ChildProcess
  readonly #dir: string
  readonly #exited: Promise<void>
  #gone = false

  constructor(bot: BotCommand, env: Record<string, string>) {
    this.#dir = mkdtempSync(path.join(os.tmpdir(), 'natter-bench-bot-'))
    const out = openSync(path.join(this.#dir, 'output.log'), 'a')
    try {
      this.#child = spawn(bot.command, [...bot.args], {
        cwd: this.#dir,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', out, out],
      })
    } finally {
      closeSync(out)
    }
    // A command that cannot start emits 'error' and never 'exit'.
    live.add(this)
    this.#exited = new Promise((resolve) => {
      const gone = (): void => {
        this.#gone = true
        live.delete(this)
        resolve()
      }
      this.#child.once('exit', gone)
      this.#child.once('error', gone)
    })
  }

  get pid(): number {
    if (this.#child.pid === undefined) throw new Error(`the bot did not start: ${this.output()}`)
    return this.#child.pid
  }

  get running(): boolean {
    return !this.#gone
  }

  /** Settles as `work` does, or rejects if the bot exits first. */
  whileRunning<T>(work: Promise<T>): Promise<T> {
    const died = this.#exited.then(() => {
      throw new Error(`the bot exited: ${this.output() || 'no output'}`)
    })
    died.catch(() => {})
    return Promise.race([work, died])
  }

  /** What the bot printed, for error messages. */
  output(): string {
    try {
      return readFileSync(path.join(this.#dir, 'output.log'), 'utf8').trim().split('\n').slice(-5).join('\n')
    } catch {
      return ''
    }
  }

  kill(): void {
    if (this.running) this.#child.kill('SIGKILL')
    rmSync(this.#dir, { recursive: true, force: true })
  }

  /** SIGTERM, SIGKILL after a grace period, then removes the working directory. */
  async stop(): Promise<void> {
    if (this.running) {
      this.#child.kill('SIGTERM')
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_GRACE_MS)
      await this.#exited
      clearTimeout(timer)
    }
    rmSync(this.#dir, { recursive: true, force: true })
  }
}
