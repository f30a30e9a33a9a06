import type { StoreBackend, StoredRecord } from './backend.js'

/**
 * Values kept in this process's memory: gone when it exits. The test kit's store, shared by the bots
 * a test restarts; also `STORE_BACKEND=memory` for a bot that needs nothing kept.
 */
export class MemoryBackend implements StoreBackend {
  readonly kind = 'memory'
  readonly #namespaces = new Map<string, Map<string, StoredRecord>>()

  async read(namespace: string, key: string): Promise<StoredRecord | undefined> {
    return this.#namespaces.get(namespace)?.get(key)
  }

  async write(namespace: string, key: string, json: string | undefined, expected: number | undefined, writer: string): Promise<number | 'conflict'> {
    let records = this.#namespaces.get(namespace)
    const version = records?.get(key)?.version ?? 0
    if (expected !== undefined && expected !== version) return 'conflict'
    if (json === undefined) {
      records?.delete(key)
      return 0
    }
    if (!records) this.#namespaces.set(namespace, (records = new Map()))
    records.set(key, { json, version: version + 1, writer })
    return version + 1
  }

  async keys(namespace: string, prefix: string): Promise<string[]> {
    return [...(this.#namespaces.get(namespace)?.keys() ?? [])].filter((key) => key.startsWith(prefix)).sort()
  }

  async close(): Promise<void> {}
}
