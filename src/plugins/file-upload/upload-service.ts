import type { BotCore } from '../../bot/bot-core.js'
import { parseJid } from '../../jid.js'
import { NS_UPLOAD } from '../../ns.js'
import { type DiscoInfo, discoInfo, discoItems } from '../discovery/disco-queries.js'

/** The server's HTTP upload service (XEP-0363): where to ask for slots, and the largest file it takes. */
export interface UploadService {
  readonly jid: string
  /** In bytes; undefined when the service names no limit. */
  readonly maxSize: number | undefined
}

const DISCO_TIMEOUT_MS = 10_000

/**
 * Finds the upload service of the bot's server: the server itself, or one of its disco#items, that
 * announces XEP-0363. Undefined when none does.
 */
export async function findUploadService(bot: Pick<BotCore, 'request' | 'jid'>): Promise<UploadService | undefined> {
  const domain = parseJid(bot.jid)?.domain
  if (!domain) throw new Error('the bot has no JID yet: send files once it is online')
  const server = await discoInfo(bot, domain, DISCO_TIMEOUT_MS).catch(() => undefined)
  if (server?.features.has(NS_UPLOAD)) return serviceOf(server)
  const items = await discoItems(bot, domain, DISCO_TIMEOUT_MS).catch(() => [])
  for (const jid of items) {
    const info = await discoInfo(bot, jid, DISCO_TIMEOUT_MS).catch(() => undefined)
    if (info?.features.has(NS_UPLOAD)) return serviceOf(info)
  }
  return undefined
}

function serviceOf(info: DiscoInfo): UploadService {
  const max = Number(info.forms.get(NS_UPLOAD)?.get('max-file-size'))
  return { jid: info.jid, maxSize: Number.isFinite(max) && max > 0 ? max : undefined }
}
