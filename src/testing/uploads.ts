import { bareJid, parseJid } from '../jid.js'
import { NS_DATA, NS_DISCO_INFO, NS_DISCO_ITEMS, NS_UPLOAD } from '../ns.js'
import type { UploadPut } from '../plugins/file-upload/file-upload.js'
import { type XmlElement, xml } from '../xml.js'
import { iqError, iqResult } from './iq-replies.js'

/**
 * A file the bot uploaded to the test kit's upload service.
 *
 * @example
 * ```ts
 * const [file] = kit.uploads.files
 * expect(file?.name).toBe('report.csv')
 * expect(Buffer.from(file?.bytes ?? []).toString()).toBe('a,b\n1,2\n')
 * ```
 */
export interface TestUpload {
  readonly name: string
  /** The content type the bot gave. */
  readonly type: string
  readonly bytes: Uint8Array
  /** Where a contact would fetch it: the body of the message the bot sent. */
  readonly url: string
}

/** The service's address: `upload.` and the bot's domain. */
const HOST = 'upload.'

/**
 * The test kit's HTTP upload service (XEP-0363): listed in the server's disco#items, it hands out
 * slots and keeps what the bot puts there, in memory. `testKit(bot, { upload: false })` leaves it out;
 * `{ upload: { maxSize } }` sets its limit (default 10 MiB).
 *
 * @example
 * ```ts
 * await alice.say('chart')
 * expect(kit.uploads.files.map((f) => f.name)).toEqual(['chart.png'])
 * ```
 */
export class TestUploads {
  /** The service's JID. */
  readonly jid: string
  /** The largest file it takes, in bytes. */
  readonly maxSize: number
  readonly #files: TestUpload[] = []
  /** Slots handed out and not yet used, by their PUT URL. */
  readonly #slots = new Map<string, { name: string; type: string; size: number; url: string }>()
  #next = 0

  /** @internal Made by the test kit. */
  constructor(botJid: string, maxSize = 10 * 1024 * 1024) {
    this.jid = HOST + (parseJid(botJid)?.domain ?? 'example.org')
    this.maxSize = maxSize
  }

  /**
   * What the bot uploaded so far, in order.
   *
   * @example
   * ```ts
   * expect(kit.uploads.files).toHaveLength(1)
   * ```
   */
  get files(): readonly TestUpload[] {
    return this.#files
  }

  /** @internal The service's and the server's answers to an IQ of the bot about uploads; undefined when it is not one. */
  answer(request: XmlElement, botJid: string): XmlElement[] | undefined {
    const to = request.attrs.to
    const query = request.getChildElements()[0]
    if (to === parseJid(botJid)?.domain && query?.is('query', NS_DISCO_ITEMS)) {
      return [iqResult(request, botJid, xml('query', { xmlns: NS_DISCO_ITEMS }, xml('item', { jid: this.jid, name: 'HTTP upload' })))]
    }
    if (to === undefined || bareJid(to) !== this.jid) return undefined
    if (query?.is('query', NS_DISCO_INFO)) return [iqResult(request, botJid, this.#info())]
    if (query?.is('request', NS_UPLOAD)) return [this.#slot(request, query, botJid)]
    return [iqError(request, botJid, 'service-unavailable', 'cancel')]
  }

  /** @internal Takes what the bot PUTs to a slot, as the service's web side would. */
  readonly put: UploadPut = async (url, body, headers) => {
    const slot = this.#slots.get(url)
    if (!slot || body.byteLength !== slot.size) return { ok: false, status: slot ? 400 : 404 }
    this.#slots.delete(url)
    this.#files.push({ name: slot.name, type: headers['content-type'] ?? slot.type, bytes: body, url: slot.url })
    return { ok: true, status: 201 }
  }

  #info(): XmlElement {
    return xml(
      'query',
      { xmlns: NS_DISCO_INFO },
      xml('identity', { category: 'store', type: 'file', name: 'HTTP upload' }),
      xml('feature', { var: NS_UPLOAD }),
      xml(
        'x',
        { xmlns: NS_DATA, type: 'result' },
        xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, NS_UPLOAD)),
        xml('field', { var: 'max-file-size' }, xml('value', {}, String(this.maxSize))),
      ),
    )
  }

  #slot(request: XmlElement, query: XmlElement, botJid: string): XmlElement {
    const name = query.attrs.filename ?? ''
    const size = Number(query.attrs.size)
    if (name === '' || !Number.isInteger(size) || size < 0) return iqError(request, botJid, 'bad-request', 'modify')
    if (size > this.maxSize) return iqError(request, botJid, 'not-acceptable', 'modify')
    const path = `${++this.#next}/${encodeURIComponent(name)}`
    const url = `https://${this.jid}/${path}`
    const put = `${url}?put`
    this.#slots.set(put, { name, type: query.attrs['content-type'] ?? 'application/octet-stream', size, url })
    return iqResult(request, botJid, xml('slot', { xmlns: NS_UPLOAD }, xml('put', { url: put }), xml('get', { url })))
  }
}
