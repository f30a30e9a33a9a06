import { StanzaError, UndeliveredError } from '../../errors.js'
import { NS_PRIVATE } from '../../ns.js'
import { type XmlElement, xml } from '../../xml.js'
import type { StoreBackend, StoredRecord } from './backend.js'
import { StoreFormatError, StoreUnavailableError } from './errors.js'

/** The format of the records this natter writes; a record of a later one is refused, not misread. */
const FORMAT = 1
/** One record per key: the servers keep private data by (element, namespace), ejabberd by namespace alone. */
const RECORD_NS = 'urn:natter:store:'
/** One list of keys per namespace, for listing: private storage cannot list. */
const INDEX_NS = 'urn:natter:store-index:'
/** How long one request to the server may take before the store counts it as unanswered. */
const REQUEST_TIMEOUT_MS = 10_000
/** How many times an index update reads and writes before it gives up on siblings writing it too. */
const INDEX_ATTEMPTS = 10

/** What the back end needs of the bot: its public `request()`. */
export type Requester = (request: { type: 'get' | 'set'; payload: XmlElement; timeout?: number }) => Promise<XmlElement>

/**
 * Values on the bot's own account, in XEP-0049 private XML storage: only the account itself can read
 * or write it (a contact's request is refused by the server), it needs no add-on and every common
 * server has it on. One record per key, its JSON as text, with its format, version and writer as
 * attributes; a list of keys per namespace makes listing possible. The server checks no versions:
 * a conditional write reads the version and then writes, so a write by another process between the
 * two goes unseen. Within one process writes to a key are in order, and a formation gives each
 * conversation to one process; PostgreSQL checks and writes in one statement.
 */
export class XmppBackend implements StoreBackend {
  readonly kind = 'xmpp'
  readonly #request: Requester

  constructor(request: Requester) {
    this.#request = request
  }

  async read(namespace: string, key: string): Promise<StoredRecord | undefined> {
    return this.#get(recordNs(namespace, key))
  }

  async write(namespace: string, key: string, json: string | undefined, expected: number | undefined, writer: string): Promise<number | 'conflict'> {
    const ns = recordNs(namespace, key)
    const current = await this.#get(ns)
    const version = current?.version ?? 0
    if (expected !== undefined && expected !== version) return 'conflict'
    if (json === undefined) {
      if (current === undefined) return 0
      await this.#set(ns, undefined)
      await this.#index(namespace, (keys) => keys.delete(key))
      return 0
    }
    // Listed before it is written: a key in the list without a value is harmless, a value no list names is lost to listing.
    if (current === undefined) await this.#index(namespace, (keys) => keys.add(key))
    await this.#set(ns, { json, version: version + 1, writer })
    return version + 1
  }

  async keys(namespace: string, prefix: string): Promise<string[]> {
    const index = await this.#get(INDEX_NS + encodeURIComponent(namespace))
    const keys = index === undefined ? [] : (JSON.parse(index.json) as string[])
    return keys.filter((key) => key.startsWith(prefix)).sort()
  }

  async close(): Promise<void> {}

  /** Changes the namespace's list of keys, again on what a sibling wrote should it write in between. */
  async #index(namespace: string, change: (keys: Set<string>) => unknown): Promise<void> {
    const ns = INDEX_NS + encodeURIComponent(namespace)
    for (let attempt = 0; attempt < INDEX_ATTEMPTS; attempt++) {
      const current = await this.#get(ns)
      const keys = new Set(current === undefined ? [] : (JSON.parse(current.json) as string[]))
      const before = keys.size
      change(keys)
      if (keys.size === before) return
      const writer = `${Math.random()}`
      await this.#set(ns, { json: JSON.stringify([...keys].sort()), version: (current?.version ?? 0) + 1, writer })
      if ((await this.#get(ns))?.writer === writer) return
    }
    throw new StoreUnavailableError(`store: the list of keys of "${namespace}" kept changing; try again`, true)
  }

  async #get(ns: string): Promise<StoredRecord | undefined> {
    const reply = await this.#ask('get', xml('query', { xmlns: NS_PRIVATE }, xml('natter', { xmlns: ns })))
    const record = reply.getChild('query', NS_PRIVATE)?.getChild('natter', ns)
    const json = record?.getText() ?? ''
    if (!record || json === '') return undefined
    const format = Number(record.attrs.format)
    if (format > FORMAT) {
      throw new StoreFormatError(
        `store: a record on the bot's account was written by a newer natter (format ${format}; this one reads ${FORMAT}): upgrade natter`,
      )
    }
    return { json, version: Number(record.attrs.version) || 1, writer: record.attrs.writer ?? '' }
  }

  /** An empty element deletes the record (Prosody drops it; ejabberd keeps it empty, which reads as absent). */
  async #set(ns: string, record: StoredRecord | undefined): Promise<void> {
    const element = record
      ? xml('natter', { xmlns: ns, format: String(FORMAT), version: String(record.version), writer: record.writer }, record.json)
      : xml('natter', { xmlns: ns })
    await this.#ask('set', xml('query', { xmlns: NS_PRIVATE }, element))
  }

  async #ask(type: 'get' | 'set', payload: XmlElement): Promise<XmlElement> {
    try {
      return await this.#request({ type, payload, timeout: REQUEST_TIMEOUT_MS })
    } catch (error) {
      if (error instanceof StanzaError) {
        const transient = error.type === 'wait' || error.condition === 'remote-server-timeout'
        const what = transient ? 'did not answer in time' : `refuses private storage (${error.condition})`
        throw new StoreUnavailableError(`store: the XMPP server ${what}`, transient, { cause: error })
      }
      if (error instanceof UndeliveredError) throw new StoreUnavailableError(`store: cannot reach the XMPP server (${error.reason})`, true, { cause: error })
      throw error
    }
  }
}

function recordNs(namespace: string, key: string): string {
  return `${RECORD_NS}${encodeURIComponent(namespace)}:${encodeURIComponent(key)}`
}
