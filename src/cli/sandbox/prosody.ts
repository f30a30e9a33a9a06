// A throwaway Prosody on loopback for natter dev, the tests, the demo and benchmarks: one private server per call,
// with its own config, data, log and port in a fresh temp dir, killed when the Node process that started it exits.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, rmSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * How to set up a private Prosody; every option has a default.
 *
 * @example
 * ```ts
 * const prosody = await startProsody({ muc: false, port: 5333 })
 * ```
 */
export interface ProsodyOptions {
  /** Load the MUC component on conference.localhost (default true). */
  muc?: boolean
  /** Seconds a dropped stream-management session can be resumed (default 60). */
  smacksHibernation?: number
  /** c2s port (default: a free loopback port, retried if another process grabs it first). */
  port?: number
  /** Copy Prosody's log (debug level) to this process's stderr. */
  log?: boolean
  /**
   * Require STARTTLS, with a fresh self-signed certificate for localhost and conference.localhost at
   * `<dataDir>/certs/localhost.crt`: clients trust it only through NODE_EXTRA_CA_CERTS (default false).
   */
  tls?: boolean
  /**
   * Throttle what each client sends with mod_limits, as Debian's own configuration does (`10kb/s`):
   * Prosody's units, e.g. `{ rate: '500kb/s', burst: '1s' }` (default: no throttling).
   */
  limits?: { rate: string; burst?: string } | undefined
}

/**
 * A private Prosody started by {@link startProsody}, serving the domain `localhost` on loopback.
 *
 * @example
 * ```ts
 * const jid = await prosody.register('bot', 'secret') // 'bot@localhost'
 * await prosody.stop()
 * ```
 */
export interface Prosody {
  readonly domain: 'localhost'
  readonly host: '127.0.0.1'
  readonly port: number
  /** `xmpp://127.0.0.1:<port>`, the `service` option of @xmpp/client. */
  readonly service: string
  /** Fresh temp dir holding config, data and log; removed by stop(). */
  readonly dataDir: string
  /** Creates an account on localhost and returns its bare JID. */
  register(user: string, password: string): Promise<string>
  /** SIGKILL, as a crash would; keeps the data dir so restart() can bring the same server back. */
  kill(): Promise<void>
  /** Starts again on the same port and data dir (kills first if still running). */
  restart(): Promise<void>
  /** SIGTERM, wait for the exit, remove the data dir. Idempotent. */
  stop(): Promise<void>
}

const DOMAIN = 'localhost'
const HOST = '127.0.0.1'
const INSTALL_HINT = 'Prosody is not installed: install it with `sudo apt-get install prosody lua-unbound` (Debian/Ubuntu) and try again'
const PORT_BUSY = 'Failed to open server port'
const STARTUP_TIMEOUT_MS = 10_000
const STOP_GRACE_MS = 5_000
const PORT_ATTEMPTS = 5

/**
 * The executable `name` on PATH, if any.
 *
 * @example
 * ```ts
 * which('prosodyctl') // '/usr/bin/prosodyctl'
 * ```
 */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    const candidate = path.join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      if (statSync(candidate).isFile()) return candidate
    } catch {
      // not in this PATH entry
    }
  }
  return undefined
}

/**
 * Path of the `prosody` binary, or undefined when it is not installed (prosodyctl is required too).
 *
 * @example
 * ```ts
 * findProsody() // '/usr/bin/prosody'
 * ```
 */
export function findProsody(): string | undefined {
  const prosody = which('prosody')
  return prosody && which('prosodyctl') ? prosody : undefined
}

/**
 * Whether this process runs as root, which may install packages and must tell Prosody it may run as root.
 *
 * @example
 * ```ts
 * if (isRoot()) await run('apt-get', ['update'])
 * ```
 */
export function isRoot(): boolean {
  return process.getuid?.() === 0
}

/**
 * Runs a command to its end; rejects with its last line of output when it fails.
 *
 * @example
 * ```ts
 * await run('prosodyctl', ['--config', config, 'register', 'bot', 'localhost', 'secret'])
 * ```
 */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const collect = (chunk: Buffer): void => {
      output += chunk.toString()
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(output)
      const last = output.trim().split('\n').pop() ?? ''
      reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${last}`))
    })
  })
}

/**
 * Makes sure Prosody is installed. With `install` and root rights it installs the Debian packages itself;
 * otherwise a missing Prosody is an Error whose one-line message says how to install it.
 *
 * @example
 * ```ts
 * await ensureProsody({ install: true })
 * ```
 */
export async function ensureProsody(opts: { install?: boolean } = {}): Promise<void> {
  if (findProsody()) return
  if (!opts.install || !isRoot() || !which('apt-get')) throw new Error(INSTALL_HINT)
  process.stderr.write('Prosody not found: installing prosody, lua-unbound and openssl with apt-get...\n')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  await run('apt-get', ['update'], env)
  await run('apt-get', ['install', '-y', '--no-install-recommends', 'prosody', 'lua-unbound', 'openssl'], env)
  // We only ever run private instances; a system service started by the package would sit on 5222 as root.
  if (existsSync('/run/prosody/prosody.pid')) spawnSync('service', ['prosody', 'stop'], { stdio: 'ignore' })
  if (!findProsody()) throw new Error(INSTALL_HINT)
}

function luaString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
}

interface Paths {
  dir: string
  config: string
  log: string
  output: string
}

function configText(paths: Paths, port: number, opts: Required<Omit<ProsodyOptions, 'port' | 'limits'>> & Pick<ProsodyOptions, 'limits'>): string {
  const logSinks = [`{ levels = { min = "info" }, to = "file", filename = ${luaString(paths.log)} }`]
  if (opts.log) logSinks.push('{ levels = { min = "debug" }, to = "console" }')
  const lines = [
    '-- Generated by natter (src/cli/sandbox/prosody.ts): a private, loopback-only server for one run.',
    `pidfile = ${luaString(path.join(paths.dir, 'prosody.pid'))}`,
    `data_path = ${luaString(path.join(paths.dir, 'data'))}`,
    `certificates = ${luaString(path.join(paths.dir, 'certs'))}`,
    `log = { ${logSinks.join(', ')} }`,
    // Without it, as root mod_posix refuses to start and the server lingers, listening.
    ...(isRoot() ? ['run_as_root = true'] : []),
    `interfaces = { ${luaString(HOST)} }`,
    `c2s_ports = { ${port} }`,
    'c2s_direct_tls_ports = {}',
    'legacy_ssl_ports = {}',
    's2s_ports = {}',
    's2s_direct_tls_ports = {}',
    'component_ports = {}',
    'http_ports = {}',
    'https_ports = {}',
    // Nagle's algorithm delays small replies by ~40 ms.
    'network_settings = { nagle = false }',
    // presence, message, iq, offline and c2s load by themselves; no mod_limits, which throttles c2s.
    'modules_enabled = { "saslauth", "roster", "disco", "ping", "smacks", "carbons", "vcard", "version",',
    `  "private", "blocklist", "time", "uptime"${opts.tls ? ', "tls"' : ''}${opts.limits ? ', "limits"' : ''} }`,
    ...(opts.limits
      ? [`limits = { c2s = { rate = ${luaString(opts.limits.rate)}${opts.limits.burst ? `; burst = ${luaString(opts.limits.burst)}` : ''} } }`]
      : []),
    'modules_disabled = { "s2s", "s2s_auth_certs", "dialback" }',
    // Plain TCP on loopback unless TLS is asked for; accounts are stored as registered (SCRAM is derived at login).
    ...(opts.tls ? ['c2s_require_encryption = true'] : ['c2s_require_encryption = false', 'allow_unencrypted_plain_auth = true']),
    'authentication = "internal_plain"',
    'storage = "internal"',
    `smacks_hibernation_time = ${Math.max(0, Math.floor(opts.smacksHibernation))}`,
    '',
    `VirtualHost ${luaString(DOMAIN)}`,
  ]
  if (opts.muc) {
    lines.push('', `Component ${luaString(`conference.${DOMAIN}`)} "muc"`, '  restrict_room_creation = false')
  }
  return lines.join('\n') + '\n'
}

/**
 * A certificate for `names` that no trust store knows, as a fresh server out of the box has, written to
 * `<dir>/localhost.key` and `<dir>/localhost.crt` (PEM); resolves with both paths.
 *
 * @example
 * ```ts
 * const { key, certificate } = await selfSignedCertificate(dir, ['localhost'])
 * ```
 */
export async function selfSignedCertificate(dir: string, names: string[]): Promise<{ key: string; certificate: string }> {
  const key = path.join(dir, 'localhost.key')
  const certificate = path.join(dir, 'localhost.crt')
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${names[0] ?? 'localhost'}`,
    '-addext',
    `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}`,
    '-keyout',
    key,
    '-out',
    certificate,
  ])
  return { key, certificate }
}

/**
 * A free loopback port, none of `avoid`.
 *
 * @example
 * ```ts
 * const port = await freePort(portsInUse())
 * ```
 */
export function freePort(avoid: Set<number>): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, HOST, () => {
      const address = server.address()
      server.close(() => {
        if (address === null || typeof address === 'string') return reject(new Error('no port assigned'))
        if (avoid.has(address.port)) return resolve(freePort(avoid))
        resolve(address.port)
      })
    })
  })
}

/**
 * Resolves true if something accepts TCP connections on the port.
 *
 * @example
 * ```ts
 * await portAccepts(prosody.port) // true while it runs
 * ```
 */
export function portAccepts(port: number, host: string = HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

function fileSize(file: string): number {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

/**
 * The file's text from `offset` on; empty while it does not exist.
 *
 * @example
 * ```ts
 * readFrom(logFile, 0).includes('Failed to open server port')
 * ```
 */
export function readFrom(file: string, offset: number): string {
  try {
    return readFileSync(file).subarray(offset).toString()
  } catch {
    return ''
  }
}

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
 * A server this process started and must not leave behind.
 *
 * @example
 * ```ts
 * track({ port, killSync: () => running.signal('SIGKILL') })
 * ```
 */
export interface Tracked {
  readonly port: number
  /** For the exit hook, where nothing asynchronous runs any more. */
  killSync(): void
}

/**
 * How a private server of this process is stopped, Prosody's and ejabberd's alike: SIGTERM, SIGKILL
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

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.terminate()
      untrack(this)
      await rm(this.dataDir, { recursive: true, force: true })
    })()
    return this.stopping
  }

  /** SIGTERM, then SIGKILL if it has not exited after the grace period. */
  protected async terminate(): Promise<void> {
    await this.running?.terminate(STOP_GRACE_MS)
    this.running = undefined
  }

  /** For the exit hook, where nothing asynchronous runs any more. */
  killSync(): void {
    this.running?.signal('SIGKILL')
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}

// Every instance not yet stopped, so that none outlives this process.
const live = new Set<Tracked>()

/**
 * Kills `server` when this process exits or is signalled, until untrack(); its port is avoided meanwhile.
 *
 * @example
 * ```ts
 * track(server)
 * ```
 */
export function track(server: Tracked): void {
  installHooks()
  live.add(server)
}

/**
 * Leaves `server` to its owner again: it was stopped.
 *
 * @example
 * ```ts
 * untrack(server)
 * ```
 */
export function untrack(server: Tracked): void {
  live.delete(server)
}

/**
 * Ports held by running servers of this process.
 *
 * @example
 * ```ts
 * portsInUse().has(prosody.port) // true until it is stopped
 * ```
 */
export function portsInUse(): Set<number> {
  return new Set([...live].map((server) => server.port))
}
let hooksInstalled = false
const EXIT_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

function killAllSync(): void {
  for (const instance of live) instance.killSync()
  live.clear()
}

function onSignal(sig: NodeJS.Signals): void {
  // A program with its own handler owns its shutdown (and calls stop()); the exit hook is its safety net.
  if (process.listenerCount(sig) > 1) return
  killAllSync()
  for (const s of EXIT_SIGNALS) process.removeListener(s, onSignal)
  process.kill(process.pid, sig)
}

function installHooks(): void {
  if (hooksInstalled) return
  hooksInstalled = true
  process.on('exit', killAllSync)
  for (const sig of EXIT_SIGNALS) process.on(sig, onSignal)
}

class Instance extends PrivateServer implements Prosody {
  readonly domain = DOMAIN
  readonly host = HOST

  constructor(
    readonly port: number,
    private readonly paths: Paths,
    private readonly bin: { prosody: string; prosodyctl: string },
    private readonly forwardLog: boolean,
  ) {
    super(paths.dir)
  }

  get service(): string {
    return `xmpp://${HOST}:${this.port}`
  }

  /** Spawns Prosody and waits for its c2s listener. 'busy' means another process holds the port. */
  async launch(): Promise<'ok' | 'busy'> {
    const logOffset = fileSize(this.paths.log)
    const outputOffset = fileSize(this.paths.output)
    // Output goes to a file (or straight to our stderr) rather than a pipe, so nothing keeps this process's event
    // loop alive. The console log sink writes to stdout.
    const out = this.forwardLog ? process.stderr.fd : openSync(this.paths.output, 'a')
    let child: ChildProcess
    try {
      child = spawn(this.bin.prosody, ['--config', this.paths.config, '-F'], {
        stdio: ['ignore', out, out],
        cwd: this.paths.dir,
      })
    } finally {
      if (!this.forwardLog) closeSync(out)
    }
    child.on('error', () => {
      // reported through the exit check below
    })
    child.unref()
    const running = new Running(child, this.paths.dir)
    this.running = running

    const deadline = Date.now() + STARTUP_TIMEOUT_MS
    for (;;) {
      const log = readFrom(this.paths.log, logOffset)
      if (log.includes(PORT_BUSY)) {
        await this.terminate()
        return 'busy'
      }
      if (log.includes("Activated service 'c2s' on") && (await portAccepts(this.port))) return 'ok'
      if (running.gone()) {
        this.running = undefined
        const output = (readFrom(this.paths.output, outputOffset) + log).trim().split('\n').slice(-3).join(' | ')
        throw new Error(`prosody exited during startup (code ${child.exitCode ?? '?'}): ${output}`)
      }
      if (Date.now() >= deadline) {
        await this.terminate()
        throw new Error(`prosody did not open port ${this.port} within ${STARTUP_TIMEOUT_MS} ms`)
      }
      await sleep(5)
    }
  }

  async register(user: string, password: string): Promise<string> {
    if (this.stopping) throw new Error('prosody was stopped')
    await run(this.bin.prosodyctl, ['--config', this.paths.config, 'register', user, DOMAIN, password])
    return `${user}@${DOMAIN}`
  }

  async kill(): Promise<void> {
    const running = this.running
    if (!running) return
    running.signal('SIGKILL')
    await running.waitGone(STOP_GRACE_MS)
    this.running = undefined
  }

  async restart(): Promise<void> {
    if (this.stopping) throw new Error('prosody was stopped')
    await this.kill()
    // The port was ours a moment ago; a client may briefly hold it, so retry rather than move.
    for (let attempt = 1; ; attempt++) {
      if ((await this.launch()) === 'ok') return
      if (attempt >= PORT_ATTEMPTS) throw new Error(`port ${this.port} is taken by another process`)
      await sleep(100 * attempt)
    }
  }
}

/**
 * Starts a private Prosody on loopback; call stop() when done (it is also killed when this process exits).
 *
 * @example
 * ```ts
 * const prosody = await startProsody()
 * createBot({ jid: await prosody.register('bot', 'secret'), password: 'secret', service: prosody.service })
 * ```
 */
export async function startProsody(opts: ProsodyOptions = {}): Promise<Prosody> {
  const prosody = findProsody()
  const prosodyctl = which('prosodyctl')
  if (!prosody || !prosodyctl) throw new Error(INSTALL_HINT)
  const settings = {
    muc: opts.muc ?? true,
    smacksHibernation: opts.smacksHibernation ?? 60,
    log: opts.log ?? false,
    tls: opts.tls ?? false,
    limits: opts.limits,
  }

  const dir = await mkdtemp(path.join(os.tmpdir(), 'natter-prosody-'))
  const paths: Paths = {
    dir,
    config: path.join(dir, 'prosody.cfg.lua'),
    log: path.join(dir, 'prosody.log'),
    output: path.join(dir, 'prosody.out'),
  }
  try {
    await mkdir(path.join(dir, 'data'))
    await mkdir(path.join(dir, 'certs'))
    if (settings.tls) await selfSignedCertificate(path.join(dir, 'certs'), [DOMAIN, `conference.${DOMAIN}`])
    const inUse = new Set([...live].map((instance) => instance.port))
    for (let attempt = 1; ; attempt++) {
      const port = opts.port ?? (await freePort(inUse))
      await writeFile(paths.config, configText(paths, port, settings))
      const instance = new Instance(port, paths, { prosody, prosodyctl }, settings.log)
      installHooks()
      live.add(instance)
      let outcome: 'ok' | 'busy'
      try {
        outcome = await instance.launch()
      } catch (err) {
        live.delete(instance)
        throw err
      }
      if (outcome === 'ok') return instance
      live.delete(instance)
      if (opts.port !== undefined || attempt >= PORT_ATTEMPTS) {
        const log = await readFile(paths.log, 'utf8').catch(() => '')
        const reason = log.split('\n').findLast((line) => line.includes(PORT_BUSY)) ?? PORT_BUSY
        throw new Error(`prosody could not listen on ${HOST}:${port}: ${reason.trim()}`)
      }
      inUse.add(port)
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
}
