import type { BotCore } from '../../bot/bot-core.js'
import { StanzaError } from '../../errors.js'
import { NS_UPLOAD } from '../../ns.js'
import { xml } from '../../xml.js'
import { FileUploadError } from './upload-error.js'

/** Where to PUT a file, with the headers the service wants, and where it will be fetched from. */
export interface UploadSlot {
  readonly put: string
  readonly headers: Readonly<Record<string, string>>
  readonly get: string
}

/** The only headers XEP-0363 lets a service ask the uploader to send. */
const PUT_HEADERS: ReadonlySet<string> = new Set(['authorization', 'cookie', 'expires'])

/** Asks the upload service for a slot for one file (XEP-0363). */
export async function requestSlot(bot: Pick<BotCore, 'request'>, service: string, file: { name: string; size: number; type: string }): Promise<UploadSlot> {
  let reply: Awaited<ReturnType<BotCore['request']>>
  try {
    const payload = xml('request', { xmlns: NS_UPLOAD, filename: file.name, size: file.size, 'content-type': file.type })
    reply = await bot.request({ to: service, type: 'get', payload })
  } catch (error) {
    if (!(error instanceof StanzaError)) throw error
    throw new FileUploadError('refused', `the upload service refused ${file.name}: ${error.message}`)
  }
  const slot = reply.getChild('slot', NS_UPLOAD)
  const put = slot?.getChild('put')
  const get = slot?.getChild('get')?.attrs.url
  if (!isHttp(put?.attrs.url) || !isHttp(get)) throw new FileUploadError('refused', `the upload service gave no usable slot for ${file.name}`)
  const headers: Record<string, string> = {}
  for (const header of put?.getChildren('header') ?? []) {
    const name = header.attrs.name ?? ''
    // A header value with a line break would let the service write headers of its own choosing.
    if (PUT_HEADERS.has(name.toLowerCase())) headers[name] = header.getText().replace(/[\r\n]/g, '')
  }
  return { put: put?.attrs.url as string, headers, get }
}

function isHttp(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\//i.test(url)
}
