/** One stored value, as a back end keeps it. */
export interface StoredRecord {
  /** The value's JSON text. */
  readonly json: string
  /** Counts the writes to the key, from 1; an absent key is version 0. */
  readonly version: number
  /** The id of the write that stored it: how a write whose answer was lost is recognised as done. */
  readonly writer: string
}

/**
 * Where a store keeps its values: one small interface, one file per back end (memory, the bot's own
 * XMPP account, PostgreSQL). Keys live in namespaces; versions give optimistic concurrency.
 * A back end throws `StoreUnavailableError` when it cannot be reached, `StoreFormatError` for data
 * of a newer natter.
 */
export interface StoreBackend {
  /** What it is, for logs and errors: `memory`, `xmpp` or `postgres`. */
  readonly kind: string
  read(namespace: string, key: string): Promise<StoredRecord | undefined>
  /**
   * Stores `json` (or deletes the key when undefined) unless `expected` is given and the key's version
   * is not it (0: the key must be absent). Resolves with the new version (0 after a delete), or
   * `conflict`.
   */
  write(namespace: string, key: string, json: string | undefined, expected: number | undefined, writer: string): Promise<number | 'conflict'>
  /** The keys of a namespace that start with `prefix`, sorted. */
  keys(namespace: string, prefix: string): Promise<string[]>
  /** Lets go of connections; the back end is not used after it. */
  close(): Promise<void>
}
