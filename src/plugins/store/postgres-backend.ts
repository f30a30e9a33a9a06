import type { Pool, PoolClient } from 'pg'
import type { StoreBackend, StoredRecord } from './backend.js'
import { StoreFormatError, StoreUnavailableError } from './errors.js'
import type { DatabaseSettings } from './settings.js'

/** The schema this natter creates and reads; a database at a later one is refused, not misread. */
const SCHEMA_VERSION = 1
/** Taken while creating or migrating the schema, so that two processes starting at once do not both do it. */
const MIGRATION_LOCK = 0x6e61_7474
/** Each step takes the schema from the version before it to its own. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS natter_store (
     namespace text NOT NULL,
     key text NOT NULL,
     value jsonb NOT NULL,
     version integer NOT NULL,
     writer text NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (namespace, key)
   )`,
]
/** SQLSTATE classes of a connection that failed or a server going away: worth another try. */
const TRANSIENT_STATES = /^(08|53|57P0[123]|40001|40P01)/

/**
 * Values in PostgreSQL (`DATABASE_URL`, as Heroku Postgres sets it): one row per key in `natter_store`,
 * the value as `jsonb`, checked and written in one statement, so a conditional write is atomic across
 * processes. natter creates the schema and migrates it at first use, under an advisory lock. A small
 * pool per process (Heroku's plans limit connections); TLS as the settings say.
 */
export class PostgresBackend implements StoreBackend {
  readonly kind = 'postgres'
  readonly #settings: DatabaseSettings
  #pool: Promise<Pool> | undefined

  constructor(settings: DatabaseSettings) {
    this.#settings = settings
  }

  async read(namespace: string, key: string): Promise<StoredRecord | undefined> {
    const rows = await this.#query<StoredRecord>('SELECT value::text AS json, version, writer FROM natter_store WHERE namespace = $1 AND key = $2', [
      namespace,
      key,
    ])
    return rows[0]
  }

  async write(namespace: string, key: string, json: string | undefined, expected: number | undefined, writer: string): Promise<number | 'conflict'> {
    if (json === undefined) {
      const deleted = await this.#query(
        `DELETE FROM natter_store WHERE namespace = $1 AND key = $2${expected === undefined ? '' : ' AND version = $3'} RETURNING version`,
        expected === undefined ? [namespace, key] : [namespace, key, expected],
      )
      return expected !== undefined && expected !== 0 && deleted.length === 0 ? 'conflict' : 0
    }
    let rows: { version: number }[]
    if (expected === undefined) {
      rows = await this.#query(
        `INSERT INTO natter_store (namespace, key, value, version, writer) VALUES ($1, $2, $3::jsonb, 1, $4)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, version = natter_store.version + 1, writer = excluded.writer, updated_at = now()
         RETURNING version`,
        [namespace, key, json, writer],
      )
    } else if (expected === 0) {
      rows = await this.#query(
        `INSERT INTO natter_store (namespace, key, value, version, writer) VALUES ($1, $2, $3::jsonb, 1, $4)
         ON CONFLICT (namespace, key) DO NOTHING RETURNING version`,
        [namespace, key, json, writer],
      )
    } else {
      rows = await this.#query(
        `UPDATE natter_store SET value = $3::jsonb, version = version + 1, writer = $4, updated_at = now()
         WHERE namespace = $1 AND key = $2 AND version = $5 RETURNING version`,
        [namespace, key, json, writer, expected],
      )
    }
    return rows[0]?.version ?? 'conflict'
  }

  async keys(namespace: string, prefix: string): Promise<string[]> {
    const rows = await this.#query<{ key: string }>('SELECT key FROM natter_store WHERE namespace = $1 AND starts_with(key, $2) ORDER BY key COLLATE "C"', [
      namespace,
      prefix,
    ])
    return rows.map((row) => row.key)
  }

  async close(): Promise<void> {
    const pool = this.#pool
    this.#pool = undefined
    await (await pool?.catch(() => undefined))?.end()
  }

  async #query<R>(text: string, values: unknown[]): Promise<R[]> {
    const pool = await this.#ready()
    try {
      return (await pool.query(text, values)).rows as R[]
    } catch (error) {
      throw unavailable(error)
    }
  }

  /** The pool, once the schema is there; tried again on the next call when it failed. */
  #ready(): Promise<Pool> {
    if (!this.#pool) {
      const opening = this.#open()
      this.#pool = opening
      opening.catch(() => {
        if (this.#pool === opening) this.#pool = undefined
      })
    }
    return this.#pool
  }

  async #open(): Promise<Pool> {
    // Loaded only by bots that use PostgreSQL.
    const { default: pg } = await import('pg')
    const s = this.#settings
    const pool = new pg.Pool({
      host: s.host,
      port: s.port,
      user: s.user,
      password: s.password,
      database: s.database,
      ssl: s.tls === 'off' ? false : s.tls === 'unverified' ? { rejectUnauthorized: false } : s.checkHost ? {} : { checkServerIdentity: () => undefined },
      max: s.poolSize,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: 10_000,
      // An idle pool does not keep a stopping bot's process alive.
      allowExitOnIdle: true,
      application_name: 'natter',
    })
    // An idle connection that breaks is dropped from the pool; the next query opens another.
    pool.on('error', () => {})
    try {
      const client = await pool.connect()
      try {
        await migrate(client)
      } finally {
        client.release()
      }
    } catch (error) {
      await pool.end().catch(() => {})
      throw unavailable(error)
    }
    return pool
  }
}

/** Creates the schema, or brings it up to this natter's version; refuses a later one. */
async function migrate(client: PoolClient): Promise<void> {
  await client.query('BEGIN')
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await client.query('CREATE TABLE IF NOT EXISTS natter_meta (name text PRIMARY KEY, value text NOT NULL)')
    const found = await client.query<{ value: string }>("SELECT value FROM natter_meta WHERE name = 'schema'")
    const version = Number(found.rows[0]?.value ?? 0)
    if (version > SCHEMA_VERSION) {
      throw new StoreFormatError(`store: the database's natter schema is version ${version}, newer than this natter knows (${SCHEMA_VERSION}): upgrade natter`)
    }
    for (let step = version; step < SCHEMA_VERSION; step++) await client.query(MIGRATIONS[step] as string)
    await client.query("INSERT INTO natter_meta (name, value) VALUES ('schema', $1) ON CONFLICT (name) DO UPDATE SET value = excluded.value", [
      String(SCHEMA_VERSION),
    ])
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  }
}

/** PostgreSQL's failures as the store's: a lost connection or a server going away is transient. */
function unavailable(error: unknown): unknown {
  if (error instanceof StoreFormatError || error instanceof StoreUnavailableError) return error
  const code = (error as { code?: unknown }).code
  const network = typeof code === 'string' && /^E[A-Z]+$/.test(code)
  const message = error instanceof Error ? error.message : String(error)
  if (network || (typeof code === 'string' && TRANSIENT_STATES.test(code)) || /timeout|terminated|Connection/i.test(message)) {
    return new StoreUnavailableError(`store: PostgreSQL is unreachable (${message})`, true, { cause: error })
  }
  return new StoreUnavailableError(`store: PostgreSQL refused the operation (${message})`, false, { cause: error })
}
