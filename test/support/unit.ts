// Builders for unit tests: a bot on an in-memory TestChat, and the stanzas a server would hand it.
import { type Bot, type BotOptions, createBot, type XmlChild, type XmlElement, xml } from 'natter'
import { TestChat } from 'natter/testing'

export const BOT = 'bot@example.org/natter'
export const ALICE = 'alice@example.org/phone'
export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'
export const NS_MUC_USER = 'http://jabber.org/protocol/muc#user'

/** A bot that is not started, wired to memory, reading no environment. */
export function testBot(options: BotOptions = {}): { bot: Bot; chat: TestChat } {
  const bot = createBot({ env: {}, ...options })
  return { bot, chat: new TestChat(bot, { jid: BOT }) }
}

/** A message stanza; `body` undefined leaves the body out. */
export function message(attrs: Record<string, string | undefined>, body?: string, ...children: XmlChild[]): XmlElement {
  return xml('message', { from: ALICE, type: 'chat', ...attrs }, body !== undefined && xml('body', {}, body), ...children)
}

/** The bodies of the messages among `stanzas`. */
export function bodies(stanzas: readonly XmlElement[]): string[] {
  return stanzas.filter((s) => s.name === 'message').map((s) => s.getChildText('body') ?? '')
}

/** The defined condition of an IQ error reply, or undefined for a result. */
export function errorCondition(reply: XmlElement): string | undefined {
  if (reply.attrs.type !== 'error') return undefined
  return reply
    .getChild('error')
    ?.getChildElements()
    .find((c) => c.getNS() === NS_STANZAS && c.name !== 'text')?.name
}

/** A room's presence for an occupant, as XEP-0045 sends it; `self` adds status 110. */
export function roomPresence(
  occupant: string,
  options: { self?: boolean; codes?: string[]; jid?: string; role?: string; affiliation?: string; type?: string } = {},
): XmlElement {
  const codes = [...(options.self ? ['110'] : []), ...(options.codes ?? [])]
  return xml(
    'presence',
    { from: occupant, type: options.type },
    xml(
      'x',
      { xmlns: NS_MUC_USER },
      xml('item', { jid: options.jid, role: options.role ?? 'participant', affiliation: options.affiliation ?? 'none' }),
      codes.map((code) => xml('status', { code })),
    ),
  )
}

/** Resolves once pending promise callbacks and I/O turns have run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
