import { randomBytes } from 'node:crypto'
import { InOrder } from '../../pacing/in-order.js'
import type { StoreBackend, StoredRecord } from './backend.js'
import { StoreConflictError, StoreUnavailableError } from './errors.js'
import { DEFAULT_MAX_VALUE_SIZE } from './settings.js'

/** Waits before the second and third try of an operation the back end could not do. */
const RETRY_DELAYS_MS = [250, 1_000]
/** How many times `update()` reads, computes and tries to write before it gives up on a key others keep changing. */
const UPDATE_ATTEMPTS = 10
/**
 * The longest random pause, in ms, before an update that lost a race tries again, doubling from 4 ms: without
 * it, two processes updating one key in a loop keep colliding and the same one can lose every time.
 */
const UPDATE_BACKOFF_MAX_MS = 250
/** The longest key, in characters: it becomes part of an XML namespace or a database row. */
const MAX_KEY_LENGTH = 200

/**
 * What the namespaces of one bot's store share: the back end (chosen at start), the size limit, the
 * retries, and the order of writes per key within this process.
 */
export class StoreCore {
  #backend: StoreBackend | undefined
  #pick: (() => StoreBackend) | undefined
  maxValueSize = DEFAULT_MAX_VALUE_SIZE
  readonly #writes = new InOrder()

  /** Sets the back end now (the test kit), or how to make it on first use. */
  use(backend: StoreBackend | (() => StoreBackend)): void {
    if (typeof backend === 'function') this.#pick = backend
    else this.#backend = backend
  }

  /** Whether a back end was given outright, which settings then do not replace. */
  get fixed(): boolean {
    return this.#backend !== undefined
  }

  get backend(): StoreBackend {
    if (!this.#backend) {
      if (!this.#pick) throw new Error('store: the bot is not started, so its store has no back end yet')
      this.#backend = this.#pick()
    }
    return this.#backend
  }

  checkKey(key: string): void {
    if (typeof key !== 'string' || key === '') throw new TypeError('store: a key is a non-empty string')
    if (key.length > MAX_KEY_LENGTH)
      throw new RangeError(`store: the key "${key.slice(0, 40)}…" is ${key.length} characters, over the limit of ${MAX_KEY_LENGTH}`)
  }

  checkSize(label: string, json: string): void {
    const size = Buffer.byteLength(json)
    if (size > this.maxValueSize) {
      throw new RangeError(`store: "${label}" is ${size} bytes as JSON, over the limit of ${this.maxValueSize} bytes (STORE_MAX_VALUE_SIZE)`)
    }
  }

  read(namespace: string, key: string): Promise<StoredRecord | undefined> {
    return this.#retrying(() => this.backend.read(namespace, key))
  }

  keys(namespace: string, prefix: string): Promise<string[]> {
    return this.#retrying(() => this.backend.keys(namespace, prefix))
  }

  /** Writes whatever is there (last write wins); a retry of it is harmless. */
  put(namespace: string, key: string, json: string | undefined): Promise<number> {
    return this.#inOrder(namespace, key, async () => {
      const written = await this.#retrying(() => this.backend.write(namespace, key, json, undefined, writeId()))
      return written === 'conflict' ? 0 : written
    })
  }

  /** Writes if the key is still at `expected`; resolves with the new version, or `conflict`. */
  replace(namespace: string, key: string, json: string | undefined, expected: number): Promise<number | 'conflict'> {
    return this.#inOrder(namespace, key, () => this.#writeIf(namespace, key, json, expected))
  }

  /**
   * Reads, computes and writes back if nobody wrote in between, else again with what they wrote;
   * `compute` returns the new JSON text (undefined deletes) or `unchanged`.
   */
  update(namespace: string, key: string, compute: (current: StoredRecord | undefined) => string | undefined | 'unchanged'): Promise<StoredRecord | undefined> {
    return this.#inOrder(namespace, key, async () => {
      for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
        const current = await this.#retrying(() => this.backend.read(namespace, key))
        const json = compute(current)
        if (json === 'unchanged') return current
        const written = await this.#writeIf(namespace, key, json, current?.version ?? 0)
        if (written !== 'conflict') return json === undefined ? undefined : { json, version: written, writer: '' }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(UPDATE_BACKOFF_MAX_MS, 4 * 2 ** attempt)))
      }
      throw new StoreConflictError(`store: "${key}" in "${namespace}" kept changing under ${UPDATE_ATTEMPTS} tries to update it`)
    })
  }

  /** A conditional write; should its answer be lost, the record's writer tells whether it went through. */
  async #writeIf(namespace: string, key: string, json: string | undefined, expected: number): Promise<number | 'conflict'> {
    const writer = writeId()
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.backend.write(namespace, key, json, expected, writer)
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt]
        if (!(error instanceof StoreUnavailableError) || !error.transient || delay === undefined) throw error
        await sleep(delay)
        const now = await this.#retrying(() => this.backend.read(namespace, key))
        if (json !== undefined && now?.writer === writer) return now.version
        if (json === undefined && now === undefined && expected !== 0) return 0
        if ((now?.version ?? 0) !== expected) return 'conflict'
      }
    }
  }

  #inOrder<T>(namespace: string, key: string, work: () => Promise<T>): Promise<T> {
    return this.#writes.run(`${namespace}\u0000${key}`, work)
  }

  /** Tries a read (or an idempotent write) again after a transient failure, twice at most. */
  async #retrying<T>(op: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await op()
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt]
        if (!(error instanceof StoreUnavailableError) || !error.transient || delay === undefined) throw error
        await sleep(delay)
      }
    }
  }
}

/** A pause on the global timers, so that fake timers in tests drive it. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function writeId(): string {
  return randomBytes(6).toString('base64url')
}
