// A throwaway Prosody on loopback for natter dev, the tests, the demo and benchmarks: one private server per call,
// with its own config, data, log and port in a fresh temp dir, killed when the Node process that started it exits.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { isRoot, run, which } from './commands.js'
import { canInstallPackages, installPackages } from './debian-packages.js'
import { portsInUse, track, untrack } from './live-servers.js'
import { freePort, LOOPBACK, portAccepts } from './loopback-ports.js'
import { PrivateServer } from './private-server.js'
import { type ProsodyConfig, prosodyConfig } from './prosody-config.js'
import { selfSignedCertificate } from './self-signed-certificate.js'

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
  /** Accept an external component (XEP-0114) of this domain with this secret, on a component port of its own. */
  component?: { domain: string; secret: string } | undefined
  /** Serve HTTP file upload (XEP-0363) as upload.localhost, on a free loopback HTTP port (default false). */
  httpUpload?: boolean
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
  /** `xmpp://127.0.0.1:<component port>` when started with `component`: where that component connects. */
  readonly componentService: string | undefined
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
  /** Leaves it running, data dir and all, after this process exits; returns its pid. */
  leave(): number | undefined
}

const DOMAIN = 'localhost'
const INSTALL_HINT = 'Prosody is not installed: install it with `sudo apt-get install prosody lua-unbound` (Debian/Ubuntu) and try again'
const PORT_BUSY = 'Failed to open server port'
const STARTUP_TIMEOUT_MS = 10_000
const PORT_ATTEMPTS = 5

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
  if (!opts.install || !canInstallPackages()) throw new Error(INSTALL_HINT)
  process.stderr.write('Prosody not found: installing prosody, lua-unbound and openssl with apt-get...\n')
  await installPackages(['prosody', 'lua-unbound', 'openssl'])
  // We only ever run private instances; a system service started by the package would sit on 5222 as root.
  if (existsSync('/run/prosody/prosody.pid')) spawnSync('service', ['prosody', 'stop'], { stdio: 'ignore' })
  if (!findProsody()) throw new Error(INSTALL_HINT)
}

interface Paths {
  dir: string
  config: string
  log: string
  output: string
}

class Instance extends PrivateServer implements Prosody {
  readonly domain = DOMAIN
  readonly host = LOOPBACK

  constructor(
    readonly port: number,
    private readonly paths: Paths,
    private readonly bin: { prosody: string; prosodyctl: string },
    private readonly forwardLog: boolean,
    private readonly componentPort?: number,
  ) {
    super(paths.dir)
  }

  get service(): string {
    return `xmpp://${LOOPBACK}:${this.port}`
  }

  get componentService(): string | undefined {
    return this.componentPort === undefined ? undefined : `xmpp://${LOOPBACK}:${this.componentPort}`
  }

  /** Spawns Prosody and waits for its c2s listener. 'busy' means another process holds the port. */
  launch(): Promise<'ok' | 'busy'> {
    return this.launchProcess({
      name: 'prosody',
      command: this.bin.prosody,
      args: ['--config', this.paths.config, '-F'],
      log: this.paths.log,
      output: this.paths.output,
      // The console log sink writes to stdout.
      forwardOutput: this.forwardLog,
      busy: PORT_BUSY,
      ready: async (log) =>
        log.includes("Activated service 'c2s' on") &&
        (await portAccepts(this.port)) &&
        (this.componentPort === undefined || (await portAccepts(this.componentPort))),
      awaits: `port ${this.port}`,
      timeoutMs: STARTUP_TIMEOUT_MS,
      pollMs: 5,
    })
  }

  async register(user: string, password: string): Promise<string> {
    if (this.stopping) throw new Error('prosody was stopped')
    await run(this.bin.prosodyctl, ['--config', this.paths.config, 'register', user, DOMAIN, password])
    return `${user}@${DOMAIN}`
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

  const dir = await mkdtemp(path.join(os.tmpdir(), 'natter-prosody-'))
  const paths: Paths = {
    dir,
    config: path.join(dir, 'prosody.cfg.lua'),
    log: path.join(dir, 'prosody.log'),
    output: path.join(dir, 'prosody.out'),
  }
  const config: Omit<ProsodyConfig, 'port'> = {
    dir,
    log: paths.log,
    domain: DOMAIN,
    muc: opts.muc ?? true,
    smacksHibernation: opts.smacksHibernation ?? 60,
    logToConsole: opts.log ?? false,
    tls: opts.tls ?? false,
    limits: opts.limits,
    runAsRoot: isRoot(),
  }
  try {
    await mkdir(path.join(dir, 'data'))
    await mkdir(path.join(dir, 'certs'))
    if (config.tls) await selfSignedCertificate(path.join(dir, 'certs'), [DOMAIN, `conference.${DOMAIN}`])
    const inUse = portsInUse()
    for (let attempt = 1; ; attempt++) {
      const port = opts.port ?? (await freePort(inUse))
      const componentPort = opts.component && (await freePort(new Set([...inUse, port])))
      const component = opts.component && componentPort ? { ...opts.component, port: componentPort } : undefined
      const httpUpload = opts.httpUpload ? { port: await freePort(new Set([...inUse, port, ...(componentPort ? [componentPort] : [])])) } : undefined
      await writeFile(paths.config, prosodyConfig({ ...config, port, component, httpUpload }))
      const instance = new Instance(port, paths, { prosody, prosodyctl }, config.logToConsole, componentPort)
      track(instance)
      let outcome: 'ok' | 'busy'
      try {
        outcome = await instance.launch()
      } catch (err) {
        untrack(instance)
        throw err
      }
      if (outcome === 'ok') return instance
      untrack(instance)
      if (opts.port !== undefined || attempt >= PORT_ATTEMPTS) {
        const log = await readFile(paths.log, 'utf8').catch(() => '')
        const reason = log.split('\n').findLast((line) => line.includes(PORT_BUSY)) ?? PORT_BUSY
        throw new Error(`prosody could not listen on ${LOOPBACK}:${port}: ${reason.trim()}`)
      }
      inUse.add(port)
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
}
