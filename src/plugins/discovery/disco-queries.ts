// Asking others through service discovery (XEP-0030): for features that look for a service of the server, and `natter check`.
import type { BotCore } from '../../bot/bot-core.js'
import { NS_DATA, NS_DISCO_INFO, NS_DISCO_ITEMS } from '../../ns.js'
import { type XmlElement, xml } from '../../xml.js'

/** What asking needs of the bot. */
type Asker = Pick<BotCore, 'request'>

/** What an entity says about itself through XEP-0030 disco#info. */
export interface DiscoInfo {
  readonly jid: string
  readonly identities: ReadonlyArray<{ readonly category: string; readonly type: string; readonly name: string | undefined }>
  readonly features: ReadonlySet<string>
  /** The values of its extended info forms (XEP-0128), by FORM_TYPE and then field name. */
  readonly forms: ReadonlyMap<string, ReadonlyMap<string, string>>
}

/**
 * Asks an entity (a server, a service, a room, an account) what it is and what it supports.
 * Rejects with a `StanzaError` when it answers with an error or not in time.
 *
 * @example
 * ```ts
 * const info = await discoInfo(bot, 'conference.example.org', 10_000)
 * info.features.has('http://jabber.org/protocol/muc') // true
 * ```
 */
export async function discoInfo(bot: Asker, to: string, timeout: number): Promise<DiscoInfo> {
  const reply = await bot.request({ to, type: 'get', payload: xml('query', { xmlns: NS_DISCO_INFO }), timeout })
  const query = reply.getChild('query', NS_DISCO_INFO)
  const identities = (query?.getChildren('identity') ?? []).map((i) => ({
    category: i.attrs.category ?? '',
    type: i.attrs.type ?? '',
    name: i.attrs.name,
  }))
  const features = new Set((query?.getChildren('feature') ?? []).flatMap((f) => (f.attrs.var ? [f.attrs.var] : [])))
  const forms = new Map((query?.getChildren('x', NS_DATA) ?? []).map(readForm))
  return { jid: to, identities, features, forms }
}

/**
 * The JIDs of the items an entity lists through XEP-0030 disco#items: for a server, its services.
 *
 * @example
 * ```ts
 * await discoItems(bot, 'example.org', 10_000) // ['conference.example.org', 'upload.example.org']
 * ```
 */
export async function discoItems(bot: Asker, to: string, timeout: number): Promise<string[]> {
  const reply = await bot.request({ to, type: 'get', payload: xml('query', { xmlns: NS_DISCO_ITEMS }), timeout })
  return (reply.getChild('query', NS_DISCO_ITEMS)?.getChildren('item') ?? []).flatMap((item) => (item.attrs.jid ? [item.attrs.jid] : []))
}

function readForm(form: XmlElement): [string, Map<string, string>] {
  const values = new Map<string, string>()
  for (const field of form.getChildren('field')) {
    const value = field.getChildText('value')
    if (field.attrs.var && value !== null) values.set(field.attrs.var, value)
  }
  return [values.get('FORM_TYPE') ?? '', values]
}
