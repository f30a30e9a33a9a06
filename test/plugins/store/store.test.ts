import { createBot } from 'natter'
import { testKit } from 'natter/testing'
import { describe, expect, it, vi } from 'vitest'
import type { StoreBackend } from '../../../src/plugins/store/backend.js'
import { StoreConflictError, StoreUnavailableError } from '../../../src/plugins/store/errors.js'
import { MemoryBackend } from '../../../src/plugins/store/memory-backend.js'
import { Store } from '../../../src/plugins/store/store.js'
import { StoreCore } from '../../../src/plugins/store/store-core.js'

/** The back end with some of its methods replaced. */
function wrap(backend: StoreBackend, overrides: Partial<StoreBackend>): StoreBackend {
  return {
    kind: backend.kind,
    read: (ns, key) => backend.read(ns, key),
    write: (ns, key, json, expected, writer) => backend.write(ns, key, json, expected, writer),
    keys: (ns, prefix) => backend.keys(ns, prefix),
    close: () => backend.close(),
    ...overrides,
  }
}

function storeOn(backend: StoreBackend = new MemoryBackend(), maxValueSize?: number): Store {
  const core = new StoreCore()
  core.use(backend)
  if (maxValueSize !== undefined) core.maxValueSize = maxValueSize
  return new Store(core, 'app')
}

describe('bot.store', () => {
  it('gets, sets, deletes and lists keys by prefix', async () => {
    const store = storeOn()
    expect(await store.get('todo/alice')).toBeUndefined()
    await store.set('todo/alice', ['milk'])
    await store.set('todo/bob', [])
    await store.set('other', 1)
    expect(await store.get<string[]>('todo/alice')).toEqual(['milk'])
    expect(await store.list('todo/')).toEqual(['todo/alice', 'todo/bob'])
    expect(await store.list()).toEqual(['other', 'todo/alice', 'todo/bob'])
    expect(await store.delete('todo/bob')).toBe(true)
    expect(await store.delete('todo/bob')).toBe(false)
    expect(await store.list('todo/')).toEqual(['todo/alice'])
  })

  it('keeps namespaces apart, and natter’s own names from plugins', async () => {
    const store = storeOn()
    const karma = store.namespace('karma')
    await karma.set('alice', 3)
    expect(await store.get('alice')).toBeUndefined()
    expect(await karma.get('alice')).toBe(3)
    expect(() => store.namespace('natter.jobs')).toThrow(/natter's own/)
    expect(() => store.namespace('Has Spaces')).toThrow(TypeError)
  })

  it('updates atomically within a process: no increment is lost', async () => {
    const store = storeOn()
    await Promise.all(Array.from({ length: 50 }, () => store.update<number>('n', (n = 0) => n + 1)))
    expect(await store.get('n')).toBe(50)
  })

  it('runs the update again on what another process wrote in between', async () => {
    const backend = new MemoryBackend()
    const store = storeOn(backend)
    await store.set('n', 1)
    let calls = 0
    const result = await store.update<number>('n', (n = 0) => {
      calls++
      // Another process writes the key while this one computes, the first time only.
      if (calls === 1) void backend.write('app', 'n', '10', undefined, 'other')
      return n + 1
    })
    expect(result).toBe(11)
    expect(calls).toBe(2)
  })

  it('gives up with StoreConflictError on a key others never stop writing', async () => {
    const backend = new MemoryBackend()
    const store = storeOn(backend)
    let n = 0
    const update = store.update<number>('n', (v = 0) => {
      void backend.write('app', 'n', String(++n * 100), undefined, 'other')
      return v + 1
    })
    await expect(update).rejects.toBeInstanceOf(StoreConflictError)
  })

  it('deletes a key when the update returns undefined, and writes nothing when it returns the same', async () => {
    const store = storeOn()
    await store.set('k', { a: 1 })
    const before = await store.entry('k')
    await store.update('k', (v) => v)
    expect((await store.entry('k'))?.version).toBe(before?.version)
    await store.update('k', () => undefined)
    expect(await store.get('k')).toBeUndefined()
  })

  it('compare-and-sets with replace()', async () => {
    const store = storeOn()
    expect(await store.replace('q', ['a'], 0)).toBe(true)
    expect(await store.replace('q', ['b'], 0)).toBe(false)
    const entry = await store.entry<string[]>('q')
    expect(await store.replace('q', ['a', 'b'], entry?.version ?? -1)).toBe(true)
    expect(await store.get('q')).toEqual(['a', 'b'])
  })

  it('refuses what JSON cannot hold with a TypeError at the call, naming where', async () => {
    const store = storeOn()
    await expect(store.set('k', { when: new Date(0) })).rejects.toThrow(/value\.when is a Date.*toISOString/)
    await expect(store.set('k', { f: () => 1 })).rejects.toThrow(TypeError)
    await expect(store.set('k', [1, undefined])).rejects.toThrow(/value\[1\] is undefined/)
    await expect(store.set('k', { n: Number.NaN })).rejects.toThrow(/NaN/)
    await expect(store.set('k', 10n)).rejects.toThrow(/bigint/)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    await expect(store.set('k', cyclic)).rejects.toThrow(/cycle/)
    await expect(store.set('k', new Map())).rejects.toThrow(/Map, not a plain object/)
    await expect(store.update('k', () => ({ when: new Date() }) as never)).rejects.toThrow(TypeError)
    expect(await store.get('k')).toBeUndefined()
  })

  it('refuses a value over the limit with an error naming the key and the limit', async () => {
    const store = storeOn(new MemoryBackend(), 100)
    await expect(store.set('todo/alice', 'x'.repeat(200))).rejects.toThrow(
      'store: "todo/alice" is 202 bytes as JSON, over the limit of 100 bytes (STORE_MAX_VALUE_SIZE)',
    )
    await expect(store.set('', 1)).rejects.toThrow(TypeError)
    await expect(store.set('k'.repeat(201), 1)).rejects.toThrow(/over the limit of 200/)
  })

  it('retries a read the back end could not do, and fails the call once it keeps failing', async () => {
    const backend = new MemoryBackend()
    const store = storeOn(backend)
    await store.set('k', 1)
    let failures = 1
    const flaky = wrap(backend, {
      read: (ns, key) => (failures-- > 0 ? Promise.reject(new StoreUnavailableError('down', true)) : backend.read(ns, key)),
    })
    const core = new StoreCore()
    core.use(flaky)
    vi.useFakeTimers()
    const first = new Store(core, 'app').get('k')
    await vi.advanceTimersByTimeAsync(5_000)
    expect(await first).toBe(1)
    failures = 10
    const second = new Store(core, 'app').get('k')
    const failed = expect(second).rejects.toBeInstanceOf(StoreUnavailableError)
    await vi.advanceTimersByTimeAsync(5_000)
    await failed
    vi.useRealTimers()
  })

  it('counts a conditional write whose answer was lost as done when its writer is there', async () => {
    const backend = new MemoryBackend()
    let lose = true
    const lossy = wrap(backend, {
      write: async (ns, key, json, expected, writer) => {
        const version = await backend.write(ns, key, json, expected, writer)
        if (lose) {
          lose = false
          throw new StoreUnavailableError('connection lost', true)
        }
        return version
      },
    })
    const store = storeOn(lossy)
    let calls = 0
    vi.useFakeTimers()
    const update = store.update<number>('n', (n = 0) => {
      calls++
      return n + 1
    })
    await vi.advanceTimersByTimeAsync(5_000)
    vi.useRealTimers()
    expect(await update).toBe(1)
    expect(calls).toBe(1)
    expect(await store.get('n')).toBe(1)
  })

  it('is in memory under the test kit, whatever the settings say', async () => {
    const kit = await testKit(createBot({ env: { DATABASE_URL: 'postgres://u:p@db.example.org:5432/db' } }))
    expect(kit).toBeDefined()
  })

  it('refuses a malformed DATABASE_URL when the bot starts, naming it', async () => {
    const bot = createBot({ env: { JID: 'bot@example.org', JPASSWORD: 'pw', DATABASE_URL: 'mysql://u:secret@h/db' } })
    await expect(bot.start()).rejects.toThrow(/^DATABASE_URL: scheme "mysql:" is not postgres:/)
  })
})
