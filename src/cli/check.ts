import { type Bot, xml } from '../index.js'
import { NS_CARBONS, NS_MUC, NS_UPLOAD, NS_VCARD, NS_VERSION } from '../ns.js'
import { type DiscoInfo, discoInfo, discoItems } from '../plugins/discovery/disco-queries.js'
import { answered } from './failure.js'
import type { Io } from './io.js'
import type { OneOff } from './one-off.js'

/**
 * `natter check`: what the bot's account and server look like from a session of the bot's own.
 * Prints the server and its software, the features a bot relies on (stream management, carbons, a
 * group chat service, HTTP upload, PEP for the bot's avatar and PubSub events, vCards, PubSub services; ad-hoc
 * commands and caps need nothing of it), the roster size and the round
 * trip of a ping. Rejects when the roster or the ping gets no answer. A component (XEP-0114) says so, and has no
 * roster or carbons to show.
 *
 * @example
 * ```ts
 * await runOneOff(flags, processIo, (session) => check(session, processIo))
 * ```
 */
export async function check({ bot, settings, timeout }: OneOff, io: Io): Promise<void> {
  const { component } = settings
  // A component's server is the domain its own is a subdomain of, as a server names its components.
  const domain = component ? settings.jid.domain.slice(settings.jid.domain.indexOf('.') + 1) : settings.jid.domain
  // First, on a quiet link: right after other traffic, Nagle's algorithm can hold a small request
  // back until the server's delayed TCP ack (some 40 ms), which is the link's doing, not the server's.
  const rtt = await answered('ping', bot.ping(component ? domain : undefined, timeout))
  const [software, server, services, roster, account] = await Promise.all([
    serverSoftware(bot, domain, timeout),
    discoInfo(bot, domain, timeout).catch(() => undefined),
    servicesOf(bot, domain, timeout),
    component ? undefined : answered('roster', bot.roster.load()),
    // PEP is the account's own PubSub service: its bare JID says so.
    component ? undefined : discoInfo(bot, settings.jid.bare, timeout).catch(() => undefined),
  ])
  const everything = server ? [server, ...services] : services
  const rooms = everything.filter((s) => s.identities.some((i) => i.category === 'conference') || s.features.has(NS_MUC))
  const uploads = everything.filter((s) => s.features.has(NS_UPLOAD))
  const pubsubServices = services.filter((s) => s.identities.some((i) => i.category === 'pubsub' && i.type === 'service'))
  const pep = account?.identities.some((i) => i.category === 'pubsub' && i.type === 'pep') === true
  const lines: Array<[string, string]> = [
    ['server', software ? `${domain}, ${software}` : domain],
    ['connected via', settings.service],
    ['signed in as', component ? `${bot.jid} (a component, XEP-0114)` : bot.jid],
    ['stream management', bot.streamManagement ? 'yes' : 'no'],
    ['message carbons', component ? 'none for a component' : server?.features.has(NS_CARBONS) ? 'yes' : 'no'],
    ['group chat (MUC)', rooms.map((s) => s.jid).join(', ') || 'none'],
    ['HTTP upload', uploads.map(describeUpload).join(', ') || 'none'],
    ['PEP', component ? 'none for a component' : pep ? 'yes (avatar, PubSub events on the account)' : 'no'],
    ['vCard', server?.features.has(NS_VCARD) ? 'yes' : 'no'],
    ['PubSub services', pubsubServices.map((s) => s.jid).join(', ') || 'none'],
    // Both are the bot's own answers to clients: no server support to check.
    ['ad-hoc, caps', 'served by the bot (nothing needed)'],
    ['roster', roster === undefined ? 'none for a component' : roster.length === 1 ? '1 contact' : `${roster.length} contacts`],
    ['ping', `${rtt.toFixed(1)} ms`],
  ]
  for (const [label, value] of lines) io.out(`${label.padEnd(19)}${value}`)
}

/** The server's name and version (XEP-0092), when it tells. */
async function serverSoftware(bot: Bot, domain: string, timeout: number): Promise<string | undefined> {
  try {
    const reply = await bot.request({ to: domain, type: 'get', payload: xml('query', { xmlns: NS_VERSION }), timeout })
    const query = reply.getChild('query', NS_VERSION)
    return [query?.getChildText('name'), query?.getChildText('version')].filter(Boolean).join(' ') || undefined
  } catch {
    return undefined
  }
}

/** What each of the server's services (its disco#items) says about itself; those that do not answer are left out. */
async function servicesOf(bot: Bot, domain: string, timeout: number): Promise<DiscoInfo[]> {
  const jids = await discoItems(bot, domain, timeout).catch(() => [])
  const infos = await Promise.all(jids.map((jid) => discoInfo(bot, jid, timeout).catch(() => undefined)))
  return infos.filter((info) => info !== undefined)
}

function describeUpload(service: DiscoInfo): string {
  const bytes = Number(service.forms.get(NS_UPLOAD)?.get('max-file-size'))
  return Number.isFinite(bytes) && bytes > 0 ? `${service.jid} (files up to ${formatBytes(bytes)})` : service.jid
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round(bytes / (1024 * 1024))} MB`
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} kB`
  return `${bytes} bytes`
}
