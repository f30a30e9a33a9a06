// A throwaway PostgreSQL on loopback for tests: a private cluster per call (initdb in a fresh temp dir, as the
// `postgres` user when run as root), on a free port, killed when the Node process that started it exits.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, closeSync, existsSync, openSync, readdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { isRoot, run, which } from '../../src/cli/sandbox/servers/commands.js'
import { portsInUse, type Tracked, track, untrack } from '../../src/cli/sandbox/servers/live-servers.js'
import { freePort, portAccepts } from '../../src/cli/sandbox/servers/loopback-ports.js'
import { Running, readFrom } from '../../src/cli/sandbox/servers/private-server.js'
import { selfSignedCertificate } from '../../src/cli/sandbox/servers/self-signed-certificate.js'

const HOST = '127.0.0.1'
const INSTALL_HINT = 'PostgreSQL is not installed: install it with `sudo apt-get install postgresql` (Debian/Ubuntu) and try again'
const STARTUP_TIMEOUT_MS = 20_000
const STOP_GRACE_MS = 5_000

export interface PostgresOptions {
  /** Offer TLS, with a fresh self-signed certificate that no trust store knows (as Heroku's is to a client). */
  tls?: boolean
}

export interface Postgres {
  readonly port: number
  /** A DATABASE_URL for `database` (default `postgres`), with `sslmode` when given. */
  url(options?: { database?: string; sslmode?: string }): string
  /** Creates a database and returns its DATABASE_URL. */
  createDatabase(name: string): Promise<string>
  /** Runs SQL as the superuser and returns the rows' first column, as text. */
  sql(text: string, database?: string): Promise<string[]>
  /** SIGKILL, as a crash would; keeps the data dir so restart() can bring the same cluster back. */
  kill(): Promise<void>
  /** Starts again on the same port and data dir. */
  restart(): Promise<void>
  /** Fast shutdown, then removes the data dir. Idempotent. */
  stop(): Promise<void>
}

/** The directory of `initdb`, `postgres` and `psql` of the newest installed PostgreSQL. */
export function findPostgres(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? undefined : path.join(root, versions[0], 'bin')
}

/**
 * Makes sure PostgreSQL is installed; with `install` and root rights it installs Debian's package and stops the
 * cluster the package starts (the tests only run private ones).
 */
export async function ensurePostgres(opts: { install?: boolean } = {}): Promise<void> {
  if (findPostgres()) return
  if (!opts.install || !isRoot() || !which('apt-get')) throw new Error(INSTALL_HINT)
  process.stderr.write('PostgreSQL not found: installing it with apt-get...\n')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  await run('apt-get', ['update'], env)
  await run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], env)
  spawnSync('service', ['postgresql', 'stop'], { stdio: 'ignore' })
  if (!findPostgres()) throw new Error(INSTALL_HINT)
}

/** As root, the cluster runs as `postgres`: PostgreSQL refuses to run as root. */
function owner(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim())
  return { uid: id('-u'), gid: id('-g') }
}

class Cluster implements Tracked {
  #running: Running | undefined
  #stopping: Promise<void> | undefined

  constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
    private readonly user: { uid: number; gid: number } | undefined,
    private readonly tls: boolean,
  ) {}

  get #data(): string {
    return path.join(this.dir, 'data')
  }

  url(options: { database?: string; sslmode?: string } = {}): string {
    const query = options.sslmode === undefined ? '' : `?sslmode=${options.sslmode}`
    return `postgres://postgres:unused@${HOST}:${this.port}/${options.database ?? 'postgres'}${query}`
  }

  async createDatabase(name: string): Promise<string> {
    await this.sql(`CREATE DATABASE "${name}"`)
    return this.url({ database: name })
  }

  async sql(text: string, database = 'postgres'): Promise<string[]> {
    // Over TCP with trust authentication: any local user may connect as postgres.
    const out = await run(path.join(this.bin, 'psql'), [
      '-h',
      HOST,
      '-p',
      String(this.port),
      '-U',
      'postgres',
      '-d',
      database,
      '-tAq',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      text,
    ])
    return out.split('\n').filter((line) => line !== '')
  }

  async launch(): Promise<'ok' | 'busy'> {
    const log = path.join(this.dir, 'postgres.log')
    const offset = readFrom(log, 0).length
    const out = openSync(log, 'a')
    if (this.user) chownSync(log, this.user.uid, this.user.gid)
    const settings = ['-c', `listen_addresses=${HOST}`, '-c', `unix_socket_directories=${this.dir}`, '-c', 'fsync=off']
    if (this.tls)
      settings.push('-c', 'ssl=on', '-c', `ssl_cert_file=${path.join(this.dir, 'localhost.crt')}`, '-c', `ssl_key_file=${path.join(this.dir, 'localhost.key')}`)
    let child: ChildProcess
    try {
      child = spawn(path.join(this.bin, 'postgres'), ['-D', this.#data, '-p', String(this.port), ...settings], {
        stdio: ['ignore', out, out],
        cwd: this.dir,
        // Its own process group: kill() takes the connections' backends down with it, as a crash of the host does.
        detached: true,
        ...(this.user ?? {}),
      })
    } finally {
      closeSync(out)
    }
    child.on('error', () => {
      // reported through the exit check below
    })
    child.unref()
    const running = new Running(child, this.dir)
    this.#running = running
    const deadline = Date.now() + STARTUP_TIMEOUT_MS
    for (;;) {
      const text = readFrom(log, offset)
      if (text.includes('Address already in use')) {
        await this.#terminate()
        return 'busy'
      }
      if (text.includes('ready to accept connections') && (await portAccepts(this.port))) return 'ok'
      if (running.gone()) throw new Error(`postgres exited during startup: ${text.trim().split('\n').slice(-3).join(' | ')}`)
      if (Date.now() >= deadline) {
        await this.#terminate()
        throw new Error(`postgres did not open port ${this.port} within ${STARTUP_TIMEOUT_MS} ms`)
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  async kill(): Promise<void> {
    const pid = this.#running?.pid
    // The backends serving open connections outlive a killed postmaster for a moment, and would still answer.
    if (pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    await this.#running?.waitGone(STOP_GRACE_MS)
    this.#running = undefined
  }

  async restart(): Promise<void> {
    await this.kill()
    // The killed server's backends may hold its shared memory a moment longer, which the new one refuses to share.
    for (let attempt = 1; ; attempt++) {
      try {
        if ((await this.launch()) !== 'ok') throw new Error(`postgres: port ${this.port} was taken meanwhile`)
        return
      } catch (error) {
        if (attempt >= 20) throw error
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#terminate()
      untrack(this)
      await rm(this.dir, { recursive: true, force: true })
    })()
    return this.#stopping
  }

  killSync(): void {
    this.#running?.signal('SIGKILL')
    spawnSync('rm', ['-rf', this.dir])
  }

  /** SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave). */
  async #terminate(): Promise<void> {
    const running = this.#running
    if (!running) return
    running.signal('SIGINT')
    if (!(await running.waitGone(STOP_GRACE_MS))) {
      running.signal('SIGKILL')
      await running.waitGone(STOP_GRACE_MS)
    }
    this.#running = undefined
  }
}

/** Starts a private PostgreSQL cluster on loopback, trusting every local connection; call stop() when done. */
export async function startPostgres(opts: PostgresOptions = {}): Promise<Postgres> {
  const bin = findPostgres()
  if (!bin) throw new Error(INSTALL_HINT)
  const user = owner()
  const dir = await mkdtemp(path.join(os.tmpdir(), 'natter-postgres-'))
  try {
    chmodSync(dir, 0o755)
    if (user) chownSync(dir, user.uid, user.gid)
    const init = spawnSync(path.join(bin, 'initdb'), ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], {
      encoding: 'utf8',
      ...(user ?? {}),
    })
    if (init.status !== 0) throw new Error(`initdb failed: ${(init.stderr || init.stdout).trim().split('\n').pop()}`)
    if (opts.tls) {
      const { key, certificate } = await selfSignedCertificate(dir, ['localhost'])
      chmodSync(key, 0o600)
      if (user) for (const file of [key, certificate]) chownSync(file, user.uid, user.gid)
    }
    for (let attempt = 1; ; attempt++) {
      const port = await freePort(portsInUse())
      const cluster = new Cluster(port, dir, bin, user, opts.tls ?? false)
      track(cluster)
      const outcome = await cluster.launch().catch(async (error: unknown) => {
        untrack(cluster)
        throw error
      })
      if (outcome === 'ok') return cluster
      untrack(cluster)
      if (attempt >= 5) throw new Error(`postgres could not listen on ${HOST}: its port was taken ${attempt} times`)
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}
