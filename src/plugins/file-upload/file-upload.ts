import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { BotCore } from '../../bot/bot-core.js'
import { newMessageId } from '../../dispatch/context/outgoing-text.js'
import { NS_OOB } from '../../ns.js'
import { xml } from '../../xml.js'
import { contentTypeOf } from './content-type.js'
import { FileUploadError } from './upload-error.js'
import { findUploadService, type UploadService } from './upload-service.js'
import { requestSlot } from './upload-slot.js'

/**
 * How `bot.sendFile()` shares a file.
 *
 * @example
 * ```ts
 * await bot.sendFile('team@conference.example.org', chart, { name: 'chart.png', messageType: 'groupchat' })
 * ```
 */
export interface SendFileOptions {
  /** The file name the recipient sees. Default: the path's base name; required for bytes. */
  name?: string
  /** The content type. Default: from the name's extension (`image/png` for `.png`), else `application/octet-stream`. */
  type?: string
  /** The type of the message that carries the link: `groupchat` for a room. Default `chat`. */
  messageType?: 'chat' | 'groupchat' | 'normal'
}

/**
 * What file sharing adds to a bot.
 *
 * @example
 * ```ts
 * bot.command('chart', 'Sends the chart', async (cmd) => { await bot.sendFile(cmd.from, 'out/chart.png') })
 * ```
 */
export interface FileUploadFeature {
  /**
   * Shares a file: uploads it through the server's HTTP upload service (XEP-0363, found once through
   * service discovery), then sends `to` a message whose body is the file's URL, with the same URL as
   * an XEP-0066 link, which clients show as the file. Resolves with the URL. Rejects with a
   * {@link FileUploadError} when the server has no upload service, the file is over its limit, the
   * service refuses it or the upload fails.
   *
   * @example
   * ```ts
   * const url = await bot.sendFile('alice@example.org', Buffer.from(csv), { name: 'report.csv' })
   * ```
   */
  sendFile(to: string, file: string | Uint8Array, options?: SendFileOptions): Promise<string>
}

/** @internal How the bytes go to a slot's URL; the test kit puts its own in place. */
export type UploadPut = (url: string, body: Uint8Array, headers: Record<string, string>) => Promise<{ ok: boolean; status: number }>

const puts = new WeakMap<object, UploadPut>()

/** @internal The test kit's seam: `bot.sendFile()` hands the bytes to `put` instead of HTTP. */
export function replaceUploadPut(bot: object, put: UploadPut): void {
  puts.set(bot, put)
}

const httpPut: UploadPut = (url, body, headers) => fetch(url, { method: 'PUT', body, headers })

/**
 * Sharing files through the server's HTTP upload service: `bot.sendFile()`. `createBot()` installs it.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(fileUpload())
 * await bot.sendFile('alice@example.org', 'chart.png')
 * ```
 */
export function fileUpload(): (bot: BotCore) => FileUploadFeature {
  return (bot) => {
    let service: Promise<UploadService | undefined> | undefined
    const find = (): Promise<UploadService | undefined> => {
      if (!service) {
        service = findUploadService(bot)
        // A failure is asked again next time; an answer, even "none", is kept.
        service.catch(() => (service = undefined))
      }
      return service
    }
    return {
      async sendFile(to, file, options = {}) {
        const { name, bytes } = await readInput(file, options.name)
        const type = options.type ?? contentTypeOf(name)
        const found = await find()
        if (!found) throw new FileUploadError('no-service', `cannot send ${name}: the server offers no HTTP file upload (XEP-0363)`)
        if (found.maxSize !== undefined && bytes.byteLength > found.maxSize) {
          throw new FileUploadError('too-large', `cannot send ${name}: it is ${bytes.byteLength} bytes, over the ${found.maxSize} bytes ${found.jid} takes`)
        }
        const slot = await requestSlot(bot, found.jid, { name, size: bytes.byteLength, type })
        const put = puts.get(bot) ?? httpPut
        const response = await put(slot.put, bytes, { ...slot.headers, 'content-type': type }).catch((error: unknown) => {
          throw new FileUploadError('upload-failed', `the upload of ${name} failed: ${error instanceof Error ? error.message : String(error)}`)
        })
        if (!response.ok) throw new FileUploadError('upload-failed', `the upload of ${name} failed: HTTP ${response.status}`)
        const link = xml('x', { xmlns: NS_OOB }, xml('url', {}, slot.get))
        await bot.send(xml('message', { to, type: options.messageType ?? 'chat', id: newMessageId() }, xml('body', {}, slot.get), link))
        return slot.get
      },
    }
  }
}

async function readInput(file: string | Uint8Array, name: string | undefined): Promise<{ name: string; bytes: Uint8Array }> {
  if (typeof file === 'string') return { name: name ?? path.basename(file), bytes: await readFile(file) }
  if (name === undefined || name === '') throw new TypeError('sendFile: give the file a name ({ name: "report.csv" }) when sending bytes')
  return { name, bytes: file }
}
