import type { BotCore } from '../../bot/bot-core.js'
import { ConfigError } from '../../errors.js'
import { isDomainJid } from '../../jid.js'
import { readSetting } from '../../settings/setting.js'
import type { StoreBackend } from './backend.js'
import { type JsonValue, toJsonText } from './json-value.js'
import { MemoryBackend } from './memory-backend.js'
import { PostgresBackend } from './postgres-backend.js'
import { readStoreSettings, STORE_SETTINGS, type StoreOptions, type StoreSettings } from './settings.js'
import { StoreCore } from './store-core.js'
import { XmppBackend } from './xmpp-backend.js'

/** A stored value with its version, for a compare-and-set with {@link Store.replace}. */
export interface StoreEntry<T> {
  readonly value: T
  /** Counts the writes to the key, from 1. */
  readonly version: number
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/

/**
 * A namespace of the bot's store: keys to JSON values, kept where the settings say (the bot's own
 * XMPP account by default, PostgreSQL with `DATABASE_URL`). `bot.store` is the bot's own namespace;
 * a plugin takes one of its own with {@link Store.namespace}. Values must come back from JSON
 * unchanged (a `TypeError` at the call otherwise) and fit `STORE_MAX_VALUE_SIZE` (a `RangeError`
 * naming the key and the limit). A back end that is down fails the call with a
 * `StoreUnavailableError` once the safe retries are used up.
 *
 * @example
 * ```ts
 * await bot.store.set('greeting', { text: 'hello' })
 * const greeting = await bot.store.get<{ text: string }>('greeting')
 * ```
 */
export class Store {
  readonly #core: StoreCore

  /** @internal Made by the {@link store} feature and by {@link Store.namespace}. */
  constructor(
    core: StoreCore,
    /** The namespace's name: `app` for `bot.store`. */
    readonly name: string,
  ) {
    this.#core = core
  }

  /**
   * A namespace of its own, for a plugin: its keys never meet those of `bot.store` or other plugins.
   * Names are lowercase letters, digits, `.`, `_` and `-`; those starting with `natter` are natter's.
   *
   * @example
   * ```ts
   * const karma = bot.store.namespace('karma')
   * await karma.update<number>('alice@example.org', (n = 0) => n + 1)
   * ```
   */
  namespace(name: string): Store {
    if (!NAME.test(name)) throw new TypeError(`store: namespace "${name}" must be lowercase letters, digits, ".", "_" or "-" (64 at most)`)
    if (name.startsWith('natter')) throw new TypeError(`store: namespace "${name}" is natter's own; choose another name`)
    return new Store(this.#core, name)
  }

  /**
   * The value of a key, or undefined when it has none. The type parameter is what you stored there:
   * natter does not check it.
   *
   * @example
   * ```ts
   * const items = (await bot.store.get<string[]>('todo/alice@example.org')) ?? []
   * ```
   */
  async get<T = JsonValue>(key: string): Promise<T | undefined> {
    return (await this.entry<T>(key))?.value
  }

  /**
   * The value of a key with its version, for {@link Store.replace}.
   *
   * @example
   * ```ts
   * const entry = await bot.store.entry<number>('visits')
   * ```
   */
  async entry<T = JsonValue>(key: string): Promise<StoreEntry<T> | undefined> {
    this.#core.checkKey(key)
    const record = await this.#core.read(this.name, key)
    return record === undefined ? undefined : { value: JSON.parse(record.json) as T, version: record.version }
  }

  /**
   * Sets a key, whatever it held (the last write wins; use {@link Store.update} to change what is there).
   *
   * @example
   * ```ts
   * await bot.store.set('motd', 'Deploy freeze until Monday')
   * ```
   */
  async set<T>(key: string, value: T): Promise<void> {
    this.#core.checkKey(key)
    const json = toJsonText(key, value)
    this.#core.checkSize(key, json)
    await this.#core.put(this.name, key, json)
  }

  /**
   * Removes a key; resolves to whether it had a value.
   *
   * @example
   * ```ts
   * await bot.store.delete('motd')
   * ```
   */
  async delete(key: string): Promise<boolean> {
    this.#core.checkKey(key)
    const existed = (await this.#core.read(this.name, key)) !== undefined
    await this.#core.put(this.name, key, undefined)
    return existed
  }

  /**
   * The keys that start with `prefix` (all of the namespace's without it), sorted.
   *
   * @example
   * ```ts
   * const lists = await bot.store.list('todo/')
   * ```
   */
  list(prefix = ''): Promise<string[]> {
    return this.#core.keys(this.name, prefix)
  }

  /**
   * Changes a key atomically: `fn` gets what is there (undefined for nothing) and returns the new value
   * (undefined deletes the key). Should another process write the key in between, `fn` runs again on
   * what it wrote; within this process, updates of one key run one after the other. `fn` may run more
   * than once: keep it free of side effects. Resolves with what was stored.
   *
   * @example
   * ```ts
   * const count = await bot.store.update<number>(`visits/${msg.from}`, (n = 0) => n + 1)
   * ```
   */
  async update<T = JsonValue>(key: string, fn: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    this.#core.checkKey(key)
    const stored = await this.#core.update(this.name, key, (current) => {
      const before = current === undefined ? undefined : (JSON.parse(current.json) as T)
      const after = fn(before)
      if (after === undefined) return current === undefined ? 'unchanged' : undefined
      const json = toJsonText(key, after)
      if (json === current?.json) return 'unchanged'
      this.#core.checkSize(key, json)
      return json
    })
    return stored === undefined ? undefined : (JSON.parse(stored.json) as T)
  }

  /**
   * Compare-and-set: writes `value` (undefined deletes) only if the key is still at `version` (0: it
   * must have no value). Resolves to whether it wrote.
   *
   * @example
   * ```ts
   * const entry = await bot.store.entry<string[]>('queue')
   * const taken = await bot.store.replace('queue', entry?.value.slice(1), entry?.version ?? 0)
   * ```
   */
  async replace<T>(key: string, value: T | undefined, version: number): Promise<boolean> {
    this.#core.checkKey(key)
    let json: string | undefined
    if (value !== undefined) {
      json = toJsonText(key, value)
      this.#core.checkSize(key, json)
    }
    return (await this.#core.replace(this.name, key, json, version)) !== 'conflict'
  }

  /**
   * Which back end keeps the values: `xmpp`, `postgres` or `memory`; known once the bot started.
   *
   * @example
   * ```ts
   * bot.on('ready', () => bot.log.info({ store: bot.store.backend }, 'store'))
   * ```
   */
  get backend(): string {
    return this.#core.backend.kind
  }
}

/**
 * What the store adds to a bot.
 *
 * @example
 * ```ts
 * function counter(bot: BotCore & StoreFeature): void { bot.on('ready', () => void bot.store.update<number>('starts', (n = 0) => n + 1)) }
 * ```
 */
export interface StoreFeature {
  /** The bot's own namespace of its store; `bot.store.namespace(name)` gives others. */
  readonly store: Store
}

const cores = new WeakMap<Store, StoreCore>()

/**
 * @internal Gives a bot's store a back end before it starts, whatever its settings say: the test kit's memory.
 */
export function useStoreBackend(bot: BotCore & Partial<StoreFeature>, backend: StoreBackend): void {
  const core = bot.store && cores.get(bot.store)
  if (core) core.use(backend)
}

/**
 * @internal A namespace of natter's own (`natter.state`, `natter.jobs`), which `namespace()` keeps from plugins.
 */
export function natterNamespace(root: Store, name: `natter.${string}`): Store {
  const core = cores.get(root)
  if (!core) throw new TypeError('natterNamespace() takes bot.store')
  return new Store(core, name)
}

/**
 * The bot's store: a key to JSON value store in namespaces, on the bot's own XMPP account (XEP-0049
 * private storage: nothing a contact can read), in PostgreSQL (`DATABASE_URL`) or in memory. The back
 * end is chosen when the bot starts, from {@link StoreOptions} and the environment. `createBot()`
 * installs it.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(store({ backend: 'memory' }))
 * await bot.store.set('hello', 'world')
 * ```
 */
export function store(options: StoreOptions = {}): (bot: BotCore) => StoreFeature {
  return (bot) => {
    bot.settingsTable.add(...Object.values(STORE_SETTINGS))
    const core = new StoreCore()
    bot.onStart((env) => {
      if (core.fixed) return
      const settings = componentStore(bot, readStoreSettings(options, env), options.backend ?? readSetting(STORE_SETTINGS.backend, env))
      core.maxValueSize = settings.maxValueSize
      core.use(() => makeBackend(bot, settings))
    })
    const root = new Store(core, 'app')
    cores.set(root, core)
    return { store: root }
  }
}

/**
 * A component has no account, so no private XML storage: the default back end becomes memory (with a warning),
 * and `xmpp` asked for by name is refused.
 */
function componentStore(bot: BotCore, settings: StoreSettings, asked: StoreSettings['backend'] | undefined): StoreSettings {
  if (!isDomainJid(bot.jid) || settings.backend !== 'xmpp') return settings
  if (asked === 'xmpp') throw new ConfigError('STORE_BACKEND', 'a component (JID without a local part) has no private XML storage: use postgres or memory')
  bot.log.warn('a component has no private XML storage: bot.store keeps its values in memory only; set DATABASE_URL to keep them')
  return { ...settings, backend: 'memory' }
}

function makeBackend(bot: BotCore, settings: StoreSettings): StoreBackend {
  switch (settings.backend) {
    case 'memory':
      return new MemoryBackend()
    case 'xmpp':
      return new XmppBackend((request) => bot.request(request))
    case 'postgres':
      if (!settings.database) throw new Error('store: no database settings')
      return new PostgresBackend(settings.database)
  }
}
