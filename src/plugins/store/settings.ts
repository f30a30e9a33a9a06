import { ConfigError } from '../../errors.js'
import { positiveWholeNumber } from '../../settings/parsers.js'
import { type Env, readSetting, type Setting } from '../../settings/setting.js'

/** Where the store keeps values. */
export type StoreBackendKind = 'xmpp' | 'postgres' | 'memory'

/**
 * How the store is set up; each setting overrides its environment variable.
 *
 * @example
 * ```ts
 * createBot({ store: { backend: 'postgres', databaseUrl: 'postgres://bot:secret@127.0.0.1:5432/bot' } })
 * ```
 */
export interface StoreOptions {
  /**
   * `xmpp` (the bot's own account, XEP-0049 private storage), `postgres` or `memory` (`STORE_BACKEND`).
   * Default: `postgres` when `DATABASE_URL` is set, else `xmpp`.
   */
  backend?: StoreBackendKind
  /** The PostgreSQL database (`DATABASE_URL`), as Heroku Postgres sets it: `postgres://user:password@host:5432/db`. */
  databaseUrl?: string
  /** The largest value, in bytes of its JSON text (`STORE_MAX_VALUE_SIZE`). Default 65536. */
  maxValueSize?: number
  /** PostgreSQL connections this process opens at most (`DATABASE_POOL_SIZE`). Default 3. */
  poolSize?: number
}

/** How to reach PostgreSQL, read from `DATABASE_URL`. */
export interface DatabaseSettings {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password: string
  readonly database: string
  /** TLS: off, on without checking the certificate (Heroku's are not from a public CA), or on and checked. */
  readonly tls: 'off' | 'unverified' | 'verified'
  /** With `verified`: whether the certificate must also name the host (`sslmode=verify-full`). */
  readonly checkHost: boolean
  readonly poolSize: number
}

/** The store's settings, validated. */
export interface StoreSettings {
  readonly backend: StoreBackendKind
  readonly maxValueSize: number
  /** With the `postgres` back end. */
  readonly database: DatabaseSettings | undefined
}

/** The default limit on one value: well within the stanza size every server takes, once escaped as XML. */
export const DEFAULT_MAX_VALUE_SIZE = 65_536
const MAX_XMPP_VALUE_SIZE = 200_000
const DATABASE_URL_FORM = 'expected postgres://user:password@host:port/database'

/**
 * The rows the store adds to the settings table.
 *
 * @example
 * ```ts
 * readSetting(STORE_SETTINGS.maxValueSize, process.env) // 65536 unless STORE_MAX_VALUE_SIZE says otherwise
 * ```
 */
export const STORE_SETTINGS = {
  databaseUrl: {
    variable: 'DATABASE_URL',
    option: 'store.databaseUrl',
    // Checked by parseDatabaseUrl, whose errors never quote the text: it holds a password.
    parse: (text: string) => text,
    unset: 'no PostgreSQL',
    help: 'the PostgreSQL database for bot.store and durable jobs, postgres://user:password@host:port/db; never logged',
  },
  backend: {
    variable: 'STORE_BACKEND',
    option: 'store.backend',
    parse: backendKind,
    unset: 'postgres with DATABASE_URL, else xmpp',
    help: "where bot.store keeps values: xmpp (the bot's own account), postgres or memory",
  },
  maxValueSize: {
    variable: 'STORE_MAX_VALUE_SIZE',
    option: 'store.maxValueSize',
    parse: positiveWholeNumber,
    default: String(DEFAULT_MAX_VALUE_SIZE),
    help: `largest value bot.store keeps, in bytes of its JSON text; at most ${MAX_XMPP_VALUE_SIZE} with xmpp`,
  },
  poolSize: {
    variable: 'DATABASE_POOL_SIZE',
    option: 'store.poolSize',
    parse: positiveWholeNumber,
    default: '3',
    help: 'PostgreSQL connections this process opens at most',
  },
} satisfies Record<string, Setting<unknown>>

/**
 * Reads the store's settings; throws a `ConfigError` naming the variable at fault, before anything
 * connects. A malformed `DATABASE_URL` is named without its text, which holds a password.
 *
 * @example
 * ```ts
 * const settings = readStoreSettings({}, { DATABASE_URL: 'postgres://bot:pw@db.internal:5432/bot' })
 * ```
 */
export function readStoreSettings(options: StoreOptions, env: Env): StoreSettings {
  const url = readSetting(STORE_SETTINGS.databaseUrl, env, options.databaseUrl)
  const backend = readSetting(STORE_SETTINGS.backend, env, options.backend) ?? (url === undefined ? 'xmpp' : 'postgres')
  const maxValueSize = readSetting(STORE_SETTINGS.maxValueSize, env, options.maxValueSize)
  if (backend === 'xmpp' && maxValueSize > MAX_XMPP_VALUE_SIZE) {
    throw new ConfigError('STORE_MAX_VALUE_SIZE', `${maxValueSize} is more than a stanza carries; at most ${MAX_XMPP_VALUE_SIZE} with the xmpp back end`)
  }
  const poolSize = readSetting(STORE_SETTINGS.poolSize, env, options.poolSize)
  if (backend !== 'postgres') return { backend, maxValueSize, database: undefined }
  if (url === undefined) throw new ConfigError('DATABASE_URL', 'missing; the postgres back end needs it')
  return { backend, maxValueSize, database: parseDatabaseUrl(url, poolSize) }
}

function backendKind(text: string, variable: string): StoreBackendKind {
  const kind = text.toLowerCase()
  if (kind === 'xmpp' || kind === 'postgres' || kind === 'memory') return kind
  throw new ConfigError(variable, `unknown back end "${kind}"; use xmpp, postgres or memory`)
}

/**
 * A `DATABASE_URL` as Heroku sets it. Without `sslmode` TLS is on (unverified, as Heroku requires)
 * except to a loopback host; `sslmode` is honoured: `disable` and `allow` off, `prefer`, `require`
 * and `no-verify` unverified, `verify-ca` and `verify-full` checked.
 */
export function parseDatabaseUrl(text: string, poolSize: number): DatabaseSettings {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new ConfigError('DATABASE_URL', `malformed; ${DATABASE_URL_FORM}`)
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `scheme "${url.protocol}" is not postgres:; ${DATABASE_URL_FORM}`)
  }
  const host = decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1')
  if (host === '') throw new ConfigError('DATABASE_URL', `no host; ${DATABASE_URL_FORM}`)
  const port = url.port === '' ? 5432 : Number(url.port)
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''))
  if (database === '' || database.includes('/')) throw new ConfigError('DATABASE_URL', `no database name; ${DATABASE_URL_FORM}`)
  const user = decodeURIComponent(url.username)
  if (user === '') throw new ConfigError('DATABASE_URL', `no user; ${DATABASE_URL_FORM}`)
  const sslmode = url.searchParams.get('sslmode')?.toLowerCase()
  const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.')
  let tls: DatabaseSettings['tls']
  if (sslmode === undefined) tls = loopback ? 'off' : 'unverified'
  else if (sslmode === 'disable' || sslmode === 'allow') tls = 'off'
  else if (sslmode === 'prefer' || sslmode === 'require' || sslmode === 'no-verify') tls = 'unverified'
  else if (sslmode === 'verify-ca' || sslmode === 'verify-full') tls = 'verified'
  else throw new ConfigError('DATABASE_URL', `unknown sslmode "${sslmode}"; use disable, require, verify-ca or verify-full`)
  return { host, port, user, password: decodeURIComponent(url.password), database, tls, checkHost: sslmode === 'verify-full', poolSize }
}
