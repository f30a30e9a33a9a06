// A bot under test as a child process, started the way a Procfile runner starts it: its own command, the
// configuration in the environment only, a working directory of its own (so no .env file can leak in).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

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

/** CPU time a process has used so far, in seconds (all its threads, user and system). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the parenthesised command name, which may hold spaces; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
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
