// A private server as a process of ours, Prosody's and ejabberd's alike: spawned with its output in its own dir,
// watched until it serves, stopped with SIGTERM then SIGKILL, and killed by a watchdog should this process die first.
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync, rmSync, statSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import net from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Tracked, untrack } from './live-servers.js'

const STOP_GRACE_MS = 5_000

/** True once the process is gone; a zombie (state Z) counts as gone, as it never runs again. */
function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The state follows the parenthesised command name, which may itself contain spaces or parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z'
  } catch {
    return true
  }
}

// Kills the server and removes its dir when this process goes without running its exit hook (SIGKILL, a terminated
// worker thread): the pipe's write end, held only by us, closes with us and `read` sees end of file.
const WATCHDOG = 'while read -r _; do :; done; kill -KILL "$1" 2>/dev/null; rm -rf "$2"'

/**
 * A spawned server, with a watchdog that kills it (and removes `dir`) should this process die without cleaning up.
 *
 * @example
 * ```ts
 * const running = new Running(spawn('prosody', ['-F']), dir)
 * running.signal('SIGTERM')
 * ```
 */
export class Running {
  exited = false
  private readonly watchdog: ChildProcess | undefined

  constructor(
    readonly child: ChildProcess,
    dir: string,
  ) {
    child.once('exit', () => {
      this.exited = true
    })
    if (child.pid === undefined) return
    // Own process group, so a Ctrl-C meant for the tests cannot stop it before it has done its job.
    const watchdog = spawn('/bin/sh', ['-c', WATCHDOG, 'natter-watchdog', String(child.pid), dir], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    })
    watchdog.on('error', () => {
      // without a watchdog the exit hook still covers every ordinary exit
    })
    watchdog.unref()
    if (watchdog.stdin instanceof net.Socket) watchdog.stdin.unref()
    this.watchdog = watchdog
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  gone(): boolean {
    return this.exited || this.pid === undefined || processGone(this.pid)
  }

  async waitGone(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms
    while (!this.gone()) {
      if (Date.now() >= deadline) return false
      await sleep(5)
    }
    return true
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async terminate(graceMs: number): Promise<void> {
    this.signal('SIGTERM')
    if (!(await this.waitGone(graceMs))) {
      this.signal('SIGKILL')
      await this.waitGone(graceMs)
    }
  }

  /**
   * Lets the server outlive this process: the watchdog goes, and nothing of the child keeps this
   * process's event loop alive.
   */
  release(): void {
    if (this.watchdog && this.watchdog.exitCode === null && this.watchdog.signalCode === null) this.watchdog.kill('SIGKILL')
    this.child.unref()
  }

  /** Signals the server; from then on its end is ours to see to, so the watchdog goes first. */
  signal(sig: NodeJS.Signals): void {
    if (this.watchdog && this.watchdog.exitCode === null && this.watchdog.signalCode === null) {
      this.watchdog.kill('SIGKILL')
    }
    if (this.gone()) return
    try {
      this.child.kill(sig)
    } catch {
      // already gone
    }
  }
}

/**
 * How to start a server and tell that it serves, for {@link PrivateServer.launchProcess}.
 *
 * @example
 * ```ts
 * const startup: Startup = {
 *   name: 'prosody', command: '/usr/bin/prosody', args: ['-F'], log, output, busy: 'Failed to open server port',
 *   ready: async (log) => log.includes("Activated service 'c2s'"), awaits: 'port 5222', timeoutMs: 10_000, pollMs: 5,
 * }
 * ```
 */
export interface Startup {
  /** The server's name in error messages. */
  readonly name: string
  readonly command: string
  readonly args: readonly string[]
  /** The server's environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv
  /** The file the server logs to. */
  readonly log: string
  /** The file its stdout and stderr are appended to. */
  readonly output: string
  /** Send stdout and stderr to this process's stderr instead of `output`. */
  readonly forwardOutput?: boolean
  /** Text in the log that means another process holds one of its ports. */
  readonly busy: string
  /** Whether the server serves, given its log since this launch. */
  ready(log: string): Promise<boolean>
  /** What it was waiting to open, for the message when it does not in time: `port 5222`. */
  readonly awaits: string
  readonly timeoutMs: number
  /** How often the log and ports are looked at while it starts. */
  readonly pollMs: number
}

/**
 * How a private server of this process is started and stopped, Prosody's and ejabberd's alike: SIGTERM, SIGKILL
 * after a grace period, its dir removed; and killed at once by the exit hook.
 *
 * @example
 * ```ts
 * class Instance extends PrivateServer { readonly port = 5222 }
 * ```
 */
export abstract class PrivateServer implements Tracked {
  abstract readonly port: number
  protected running: Running | undefined
  protected stopping: Promise<void> | undefined

  constructor(
    /** The server's own temp dir, removed when it stops. */
    readonly dataDir: string,
  ) {}

  /** SIGTERM, wait for the exit, remove the data dir. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.terminate()
      untrack(this)
      await rm(this.dataDir, { recursive: true, force: true })
    })()
    return this.stopping
  }

  /**
   * Leaves the server running, with its data dir, after this process exits (`natter dev --keep`):
   * neither the exit hook nor the watchdog kills it. Returns its pid, for whoever stops it later.
   */
  leave(): number | undefined {
    untrack(this)
    const pid = this.running?.pid
    this.running?.release()
    this.running = undefined
    return pid
  }

  /** SIGKILL, as a crash would; keeps the data dir so that the same server can be started again. */
  async kill(): Promise<void> {
    const running = this.running
    if (!running) return
    running.signal('SIGKILL')
    await running.waitGone(STOP_GRACE_MS)
    this.running = undefined
  }

  /** For the exit hook, where nothing asynchronous runs any more. */
  killSync(): void {
    this.running?.signal('SIGKILL')
    rmSync(this.dataDir, { recursive: true, force: true })
  }

  /** SIGTERM, then SIGKILL if it has not exited after the grace period. */
  protected async terminate(): Promise<void> {
    await this.running?.terminate(STOP_GRACE_MS)
    this.running = undefined
  }

  /**
   * Spawns the server in its data dir and waits until it serves. 'busy' means another process holds one of its
   * ports: the server is stopped again, and the caller may try other ports. Rejects when it exits or takes too long.
   */
  protected async launchProcess(startup: Startup): Promise<'ok' | 'busy'> {
    const logOffset = fileSize(startup.log)
    const outputOffset = fileSize(startup.output)
    // Output goes to a file (or straight to our stderr) rather than a pipe, so nothing keeps this process's event
    // loop alive.
    const out = startup.forwardOutput ? process.stderr.fd : openSync(startup.output, 'a')
    let child: ChildProcess
    try {
      child = spawn(startup.command, startup.args, { stdio: ['ignore', out, out], cwd: this.dataDir, env: startup.env })
    } finally {
      if (!startup.forwardOutput) closeSync(out)
    }
    child.on('error', () => {
      // reported through the exit check below
    })
    child.unref()
    const running = new Running(child, this.dataDir)
    this.running = running

    const deadline = Date.now() + startup.timeoutMs
    for (;;) {
      const log = readFrom(startup.log, logOffset)
      if (log.includes(startup.busy)) {
        await this.terminate()
        return 'busy'
      }
      if (await startup.ready(log)) return 'ok'
      if (running.gone()) {
        this.running = undefined
        const output = (readFrom(startup.output, outputOffset) + log).trim().split('\n').slice(-3).join(' | ')
        throw new Error(`${startup.name} exited during startup (code ${child.exitCode ?? '?'}): ${output}`)
      }
      if (Date.now() >= deadline) {
        await this.terminate()
        throw new Error(`${startup.name} did not open ${startup.awaits} within ${startup.timeoutMs} ms`)
      }
      await sleep(startup.pollMs)
    }
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

/** The file's text from `offset` on; empty while it does not exist. */
export function readFrom(file: string, offset: number): string {
  try {
    return readFileSync(file).subarray(offset).toString()
  } catch {
    return ''
  }
}
