// A throwaway ejabberd on loopback for tests: one private server per call, with its own config, Mnesia spool, log
// and ports in a fresh temp dir, killed when the Node process that started it exits. It stores passwords as SCRAM
// (SHA-256 by default), so it offers SCRAM-SHA-256 and PLAIN, never SCRAM-SHA-1: the case xmpp.js alone cannot log in to.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { which } from '../src/cli/sandbox/servers/commands.js'
import { canInstallPackages, installPackages } from '../src/cli/sandbox/servers/debian-packages.js'
import { portsInUse, track, untrack } from '../src/cli/sandbox/servers/live-servers.js'
import { freePort, LOOPBACK, portAccepts } from '../src/cli/sandbox/servers/loopback-ports.js'
import { PrivateServer } from '../src/cli/sandbox/servers/private-server.js'
import { selfSignedCertificate } from '../src/cli/sandbox/servers/self-signed-certificate.js'

export interface EjabberdOptions {
  /**
   * Also listen on a second port that requires STARTTLS, with a fresh self-signed certificate for localhost at
   * `certificate`: clients trust it only through NODE_EXTRA_CA_CERTS (default false).
   */
  tls?: boolean
  /** The hash of the SCRAM credentials ejabberd stores (default sha256). */
  scramHash?: 'sha1' | 'sha256' | 'sha512'
  /** Load the MUC service on conference.localhost (default false). */
  muc?: boolean
  /** Seconds a dropped stream-management session can be resumed (default 60). */
  resumeTimeout?: number
  /**
   * Throttle what each client sends, as Debian's ejabberd.yml does with its `normal` c2s shaper
   * (`{ rate: 3000, burstSize: 20000 }`, bytes). Default: no shaper.
   */
  shaper?: { rate: number; burstSize: number } | undefined
  /** Seconds ejabberd waits for a client's `<a/>` before it ends the session (its default is 60). */
  ackTimeout?: number
}

export interface Ejabberd {
  readonly domain: 'localhost'
  readonly host: '127.0.0.1'
  readonly port: number
  /** `xmpp://127.0.0.1:<port>`: no STARTTLS offered. */
  readonly service: string
  /** `xmpp://127.0.0.1:<port>` of the listener that requires STARTTLS, with `tls`. */
  readonly tlsService: string | undefined
  /** The PEM certificate of that listener, with `tls`. */
  readonly certificate: string | undefined
  /** Fresh temp dir holding config, spool and log; removed by stop(). */
  readonly dataDir: string
  /** Creates an account on localhost and returns its bare JID. */
  register(user: string, password: string): Promise<string>
  /** SIGTERM, wait for the exit, remove the data dir. Idempotent. */
  stop(): Promise<void>
  /** SIGKILL, as a crash would; keeps the data dir (accounts included) so restart() can bring the same server back. */
  kill(): Promise<void>
  /** Starts again on the same ports and data dir: kills it first if still running, or with `graceful` stops it as its service would (SIGTERM). */
  restart(graceful?: boolean): Promise<void>
}

const DOMAIN = 'localhost'
const INSTALL_HINT = 'ejabberd is not installed: install it with `sudo apt-get install ejabberd` (Debian/Ubuntu) and try again'
const STARTUP_TIMEOUT_MS = 20_000
const PORT_ATTEMPTS = 5

/** How to run ejabberd without ejabberdctl: its Erlang and library dir, as the package's ejabberdctl sets them. */
interface Installation {
  erl: string
  erlLibs: string
}

/**
 * Where the packaged ejabberd lives, or undefined when it is not installed. ejabberdctl is not used to run it: as
 * root it always switches to the `ejabberd` user, and it names the Erlang node, which needs epmd and a node name
 * per instance. A node without a name (nonode@nohost) is enough for a server that only serves clients.
 */
export function findEjabberd(): Installation | undefined {
  const ctl = which('ejabberdctl')
  if (!ctl) return undefined
  let script: string
  try {
    script = readFileSync(ctl, 'utf8')
  } catch {
    return undefined
  }
  const erl = /^\s*ERL="([^"]+)"/m.exec(script)?.[1]
  const erlLibs = /^\s*ERL_LIBS='([^']+)'/m.exec(script)?.[1]
  if (!erl || !erlLibs || !existsSync(erl)) return undefined
  try {
    if (!readdirSync(erlLibs).some((entry) => entry.startsWith('ejabberd-'))) return undefined
  } catch {
    return undefined
  }
  return { erl, erlLibs }
}

/**
 * Makes sure ejabberd is installed. With `install` and root rights it installs the Debian package itself and
 * stops the system service the package may start; otherwise a missing ejabberd is an Error whose one-line message
 * says how to install it.
 */
export async function ensureEjabberd(opts: { install?: boolean } = {}): Promise<void> {
  if (findEjabberd()) return
  if (!opts.install || !canInstallPackages()) throw new Error(INSTALL_HINT)
  process.stderr.write('ejabberd not found: installing it with apt-get...\n')
  await installPackages(['ejabberd'])
  stopSystemService()
  if (!findEjabberd()) throw new Error(INSTALL_HINT)
}

/** Tests only run private instances; the package's own service would sit on 5222 and 5280. */
export function stopSystemService(): void {
  if (existsSync('/run/ejabberd/ejabberd.pid')) spawnSync('service', ['ejabberd', 'stop'], { stdio: 'ignore' })
  spawnSync('systemctl', ['disable', 'ejabberd'], { stdio: 'ignore' })
}

interface Ports {
  c2s: number
  tls: number | undefined
  http: number
}

function configText(dir: string, ports: Ports, opts: Required<Omit<EjabberdOptions, 'shaper'>> & Pick<EjabberdOptions, 'shaper'>): string {
  const q = (text: string): string => JSON.stringify(text)
  const lines = [
    '# Generated by tools/ejabberd.ts: a private, loopback-only server for one test run.',
    `hosts: [${q(DOMAIN)}]`,
    'loglevel: info',
    ...(opts.tls ? [`certfiles: [${q(path.join(dir, 'localhost.pem'))}]`] : []),
    'listen:',
    `  - port: ${ports.c2s}`,
    `    ip: ${q(LOOPBACK)}`,
    '    module: ejabberd_c2s',
    '    starttls: false',
    ...(opts.shaper ? ['    shaper: c2s_shaper'] : []),
    ...(ports.tls === undefined ? [] : [`  - port: ${ports.tls}`, `    ip: ${q(LOOPBACK)}`, '    module: ejabberd_c2s', '    starttls_required: true']),
    `  - port: ${ports.http}`,
    `    ip: ${q(LOOPBACK)}`,
    '    module: ejabberd_http',
    '    request_handlers:',
    '      /api: mod_http_api',
    ...(opts.shaper
      ? ['shaper:', '  normal:', `    rate: ${opts.shaper.rate}`, `    burst_size: ${opts.shaper.burstSize}`, 'shaper_rules:', '  c2s_shaper: normal']
      : []),
    'auth_method: [internal]',
    // Passwords are kept only as SCRAM credentials of this hash: the server can offer no other SCRAM.
    'auth_password_format: scram',
    // ejabberd names SHA-1 `sha`.
    `auth_scram_hash: ${opts.scramHash === 'sha1' ? 'sha' : opts.scramHash}`,
    // Accounts are created through the HTTP API, from loopback only.
    'api_permissions:',
    '  "loopback registration":',
    '    from: [mod_http_api]',
    '    who:',
    '      ip: 127.0.0.1/8',
    '    what: [register]',
    'modules:',
    '  mod_disco: {}',
    '  mod_http_api: {}',
    '  mod_ping: {}',
    '  mod_roster: {}',
    '  mod_carboncopy: {}',
    '  mod_offline: {}',
    // XEP-0049 private storage: natter's store on the bot's own account.
    '  mod_private: {}',
    '  mod_stream_mgmt:',
    `    resume_timeout: ${opts.resumeTimeout}`,
    `    ack_timeout: ${opts.ackTimeout}`,
    // What a bot that shuts down alone left unacknowledged goes to offline storage for its next start,
    // as Prosody does, instead of back to the senders as errors (ejabberd's default).
    '    resend_on_timeout: if_offline',
    ...(opts.muc ? ['  mod_muc:', `    host: ${q(`conference.${DOMAIN}`)}`, '    access_create: all', '    history_size: 20'] : []),
  ]
  return lines.join('\n') + '\n'
}

class Instance extends PrivateServer implements Ejabberd {
  readonly domain = DOMAIN
  readonly host = LOOPBACK
  private installation: Installation | undefined

  constructor(
    private readonly ports: Ports,
    dataDir: string,
    readonly certificate: string | undefined,
  ) {
    super(dataDir)
  }

  get port(): number {
    return this.ports.c2s
  }

  get service(): string {
    return `xmpp://${LOOPBACK}:${this.ports.c2s}`
  }

  get tlsService(): string | undefined {
    return this.ports.tls === undefined ? undefined : `xmpp://${LOOPBACK}:${this.ports.tls}`
  }

  private get log(): string {
    return path.join(this.dataDir, 'ejabberd.log')
  }

  /** Spawns ejabberd and waits for its listeners. 'busy' means another process holds one of its ports. */
  launch(installation: Installation): Promise<'ok' | 'busy'> {
    this.installation = installation
    const ports = [this.ports.c2s, this.ports.http, ...(this.ports.tls === undefined ? [] : [this.ports.tls])]
    return this.launchProcess({
      name: 'ejabberd',
      command: installation.erl,
      args: ['-noinput', '-mnesia', 'dir', JSON.stringify(path.join(this.dataDir, 'spool')), '-s', 'ejabberd'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: this.dataDir,
        ERL_LIBS: installation.erlLibs,
        EJABBERD_CONFIG_PATH: path.join(this.dataDir, 'ejabberd.yml'),
        EJABBERD_LOG_PATH: this.log,
        ERL_CRASH_DUMP_BYTES: '0',
      },
      log: this.log,
      output: path.join(this.dataDir, 'ejabberd.out'),
      busy: 'eaddrinuse',
      ready: async (log) => log.includes('is started in the node') && (await Promise.all(ports.map((p) => portAccepts(p)))).every(Boolean),
      awaits: `ports ${ports.join(', ')}`,
      timeoutMs: STARTUP_TIMEOUT_MS,
      pollMs: 20,
    })
  }

  async restart(graceful = false): Promise<void> {
    if (this.stopping || !this.installation) throw new Error('ejabberd was stopped')
    if (graceful) await this.terminate()
    else await this.kill()
    // The ports were ours a moment ago; a client may briefly hold one, so retry rather than move.
    for (let attempt = 1; ; attempt++) {
      if ((await this.launch(this.installation)) === 'ok') return
      if (attempt >= PORT_ATTEMPTS) throw new Error(`ejabberd's ports ${this.ports.c2s}, ${this.ports.http} are taken by another process`)
      await sleep(100 * attempt)
    }
  }

  async register(user: string, password: string): Promise<string> {
    if (this.stopping) throw new Error('ejabberd was stopped')
    const response = await fetch(`http://${LOOPBACK}:${this.ports.http}/api/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, host: DOMAIN, password }),
    })
    if (!response.ok) throw new Error(`ejabberd: cannot register ${user}: ${response.status} ${await response.text()}`)
    return `${user}@${DOMAIN}`
  }
}

/** Starts a private ejabberd on loopback; call stop() when done (it is also killed when this process exits). */
export async function startEjabberd(opts: EjabberdOptions = {}): Promise<Ejabberd> {
  const installation = findEjabberd()
  if (!installation) throw new Error(INSTALL_HINT)
  const settings = {
    tls: opts.tls ?? false,
    scramHash: opts.scramHash ?? 'sha256',
    muc: opts.muc ?? false,
    resumeTimeout: opts.resumeTimeout ?? 60,
    shaper: opts.shaper,
    ackTimeout: opts.ackTimeout ?? 60,
  } as const
  for (let attempt = 1; ; attempt++) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'natter-ejabberd-'))
    try {
      await mkdir(path.join(dir, 'spool'))
      let certificate: string | undefined
      if (settings.tls) certificate = await ejabberdCertificate(dir)
      const avoid = portsInUse()
      const c2s = await freePort(avoid)
      avoid.add(c2s)
      const tls = settings.tls ? await freePort(avoid) : undefined
      if (tls !== undefined) avoid.add(tls)
      const ports = { c2s, tls, http: await freePort(avoid) }
      await writeFile(path.join(dir, 'ejabberd.yml'), configText(dir, ports, settings))
      const instance = new Instance(ports, dir, certificate)
      track(instance)
      const outcome = await instance.launch(installation).finally(() => untrack(instance))
      if (outcome === 'ok') {
        track(instance)
        return instance
      }
      if (attempt >= PORT_ATTEMPTS) throw new Error(`ejabberd could not listen on ${LOOPBACK}: its ports were taken ${attempt} times`)
    } catch (err) {
      await rm(dir, { recursive: true, force: true })
      throw err
    }
    // Another process took a port between freePort() and ejabberd's listen: try again with fresh ones.
    await rm(dir, { recursive: true, force: true })
  }
}

/** A certificate for localhost that no trust store knows; ejabberd reads key and certificate from one PEM file. */
async function ejabberdCertificate(dir: string): Promise<string> {
  const { key, certificate } = await selfSignedCertificate(dir, [DOMAIN])
  await writeFile(path.join(dir, 'localhost.pem'), readFileSync(certificate, 'utf8') + readFileSync(key, 'utf8'))
  return certificate
}
