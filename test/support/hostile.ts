// Hostile stanzas for the fuzz tests: random attributes, sizes, nesting, types and namespaces, drawn from a
// seeded generator so that a failure can be replayed with the seed it prints.
import { type XmlElement, xml } from 'natter'

/** A generator of numbers in [0, 1) from a 32-bit seed (mulberry32): the same seed, the same sequence. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface HostileOptions {
  /** The bot's JID, which `to` mostly names. */
  readonly bot: string
  /** A room the bot is in, whose occupants send some of the stanzas. */
  readonly room: string
  /**
   * Only what a server relays: well-formed XML with valid characters, no `from` (the server stamps it),
   * stanza elements only, at most 64 KiB, and no payload deeper than the sender's own serializer can write.
   */
  readonly wire?: boolean
}

const NAMESPACES = [
  'jabber:client',
  'jabber:x:data',
  'jabber:iq:roster',
  'jabber:iq:version',
  'jabber:iq:register',
  'urn:xmpp:ping',
  'urn:xmpp:delay',
  'urn:xmpp:receipts',
  'urn:ietf:params:xml:ns:xmpp-stanzas',
  'http://jabber.org/protocol/disco#info',
  'http://jabber.org/protocol/disco#items',
  'http://jabber.org/protocol/muc',
  'http://jabber.org/protocol/muc#user',
  'http://jabber.org/protocol/muc#owner',
  'http://jabber.org/protocol/chatstates',
  'urn:example:unknown',
  '',
  'x',
]
const TYPES = [
  'chat',
  'groupchat',
  'normal',
  'headline',
  'error',
  'get',
  'set',
  'result',
  'available',
  'unavailable',
  'subscribe',
  'subscribed',
  'unsubscribe',
  'unsubscribed',
  'probe',
  '',
  'CHAT',
  'bogus',
]
const BODIES = [
  'help',
  'echo hi',
  'echo',
  'time',
  '!help',
  'natter: help',
  'natter, echo x',
  'I don\'t know "x". Send "help" for the list of commands.',
  'restart',
  'hi natter',
  '',
  ' ',
  'wait 0',
]
const SPECIAL_ATTRS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'xml:lang', 'xmlns', 'id', 'type', 'from', 'to']
const WIRE_CHARS = 'abcxyzABC 019 <>&"\'\t\n;:/@.-_éü汉字😀'
const ANY_CHARS = `${WIRE_CHARS}\u0000\u0001\u001f\ufffe\ud800`

/**
 * Makes random stanzas; each call to `next()` gives one.
 *
 * @example
 * ```ts
 * const hostile = new HostileStanzas(seeded(42), { bot: 'bot@example.org/natter', room: 'lobby@conference.example.org' })
 * await chat.receive(hostile.next())
 * ```
 */
export class HostileStanzas {
  /** Elements left for the stanza being made, so that random fan-out cannot explode. */
  #budget = 0

  constructor(
    private readonly random: () => number,
    private readonly options: HostileOptions,
  ) {}

  next(): XmlElement {
    // Servers refuse big stanzas (Prosody closes a stream over 256 KiB): on the wire, stay well below.
    for (;;) {
      const stanza = this.#stanza()
      if (!this.options.wire || Buffer.byteLength(stanza.toString()) <= 64 * 1024) return stanza
    }
  }

  #stanza(): XmlElement {
    this.#budget = 2_000
    const name = this.#chance(0.02) && !this.options.wire ? this.#name() : this.#pick(['message', 'presence', 'iq'])
    const attrs: Record<string, string> = {}
    if (!this.options.wire) attrs.from = this.#sender()
    if (!this.#chance(0.05)) attrs.to = this.#chance(0.8) ? this.options.bot : this.#jid()
    if (!this.#chance(0.1)) attrs.type = this.#type(name)
    if (!this.#chance(0.1)) attrs.id = this.#text(this.#chance(0.01) ? 2_000 : 12)
    for (let i = this.#int(3); i > 0; i--) {
      const key = this.#chance(0.3) ? this.#pick(SPECIAL_ATTRS) : this.#name()
      if (this.options.wire && ['from', 'to', 'type', 'id', 'xmlns'].includes(key)) continue
      attrs[key] = this.#text(this.#chance(0.05) ? 5_000 : 20)
    }
    return xml(name, attrs, ...this.#children(name, 1))
  }

  #children(parent: string, depth: number): XmlElement[] {
    const out: XmlElement[] = []
    const count = this.#chance(0.02) ? this.#int(300) : this.#int(depth === 1 ? 4 : 3)
    for (let i = 0; i < count && this.#budget > 0; i++, this.#budget--) out.push(this.#child(parent, depth))
    if (depth === 1 && this.#chance(0.03)) out.push(this.#deep(this.options.wire ? 1 + this.#int(400) : 1 + this.#int(this.#chance(0.2) ? 20_000 : 500)))
    return out
  }

  #child(parent: string, depth: number): XmlElement {
    const roll = this.random()
    if (roll < 0.25)
      return xml('body', {}, this.#chance(0.6) ? this.#pick(BODIES) : this.#text(this.#chance(0.02) ? (this.options.wire ? 20_000 : 50_000) : 60))
    if (roll < 0.3) return xml(this.#pick(['subject', 'thread', 'status', 'show', 'priority']), {}, this.#text(10))
    if (roll < 0.35) return xml(this.#pick(['composing', 'active', 'paused', 'gone', 'bogus']), { xmlns: 'http://jabber.org/protocol/chatstates' })
    if (roll < 0.4) return xml('delay', { xmlns: 'urn:xmpp:delay', stamp: this.#pick(['2024-05-01T10:00:00Z', 'yesterday', '', '9999-99-99']) })
    if (roll < 0.48) {
      return xml(
        'x',
        { xmlns: 'http://jabber.org/protocol/muc#user' },
        xml('item', { jid: this.#jid(), role: this.#pick(['moderator', 'participant', 'none', '']), affiliation: this.#pick(['owner', 'admin', 'none', 'x']) }),
        xml('status', { code: this.#pick(['110', '201', '210', '303', '307', '333', 'abc']) }),
      )
    }
    if (roll < 0.54) {
      return xml(
        'x',
        { xmlns: 'jabber:x:data', type: this.#pick(['form', 'submit', 'result']) },
        xml(
          'field',
          { var: this.#pick(['muc#roomconfig_roomsecret', 'password', 'FORM_TYPE', this.#name()]), type: this.#pick(['text-private', 'hidden', 'boolean']) },
          xml('value', {}, this.#text(12)),
        ),
      )
    }
    if (roll < 0.58) return xml('password', {}, this.#text(12))
    if (roll < 0.64)
      return xml('error', { type: this.#pick(['cancel', 'wait', 'modify', 'auth', '']) }, xml(this.#name(), { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }))
    if (roll < 0.8 || parent === 'iq')
      return xml(
        this.#pick(['query', 'ping', 'time', this.#name()]),
        { xmlns: this.#pick(NAMESPACES) },
        ...(depth < 6 ? this.#children('query', depth + 1) : []),
      )
    return xml(this.#name(), this.#chance(0.5) ? { xmlns: this.#pick(NAMESPACES) } : {}, this.#text(20), ...(depth < 6 ? this.#children('x', depth + 1) : []))
  }

  #deep(depth: number): XmlElement {
    const top = xml('deep', { xmlns: 'urn:example:deep' })
    let inner = top
    for (let i = 1; i < depth; i++) {
      const child = xml('a', {})
      inner.append(child)
      inner = child
    }
    return top
  }

  #sender(): string {
    const roll = this.random()
    if (roll < 0.5) return `user${this.#int(60)}@example.org/r${this.#int(3)}`
    if (roll < 0.75) return `${this.options.room}/${this.#pick(['carol', 'dave', 'natter', 'Carol', ''])}`
    if (roll < 0.8) return this.options.bot
    if (roll < 0.85) return 'example.org'
    return this.#jid()
  }

  #jid(): string {
    const odd = [
      '@b',
      'a@b/c/d',
      'x'.repeat(5_000),
      'Ünïcødé@example.org/😀',
      'a b@c',
      'room@conference.example.org/',
      `${this.#name()}@${this.#name()}.example/${this.#text(8)}`,
    ]
    // xmpp.js cannot address a JID without a domain, and dies on the server's bounce from one.
    return this.#pick(this.options.wire ? odd : ['', '@', 'a@', '/x', ...odd])
  }

  #type(name: string): string {
    if (this.#chance(0.7)) {
      if (name === 'iq') return this.#pick(['get', 'set', 'result', 'error'])
      if (name === 'message') return this.#pick(['chat', 'groupchat', 'normal', 'headline', 'error'])
    }
    return this.#pick(TYPES)
  }

  #name(): string {
    const letters = 'abcdefghijklmnopqrstuvwxyz'
    let name = letters[this.#int(letters.length)] ?? 'a'
    for (let i = this.#int(8); i > 0; i--) name += `${letters}0123456789-_.`[this.#int(letters.length + 13)] ?? 'x'
    return name
  }

  #text(max: number): string {
    const chars = [...(this.options.wire ? WIRE_CHARS : ANY_CHARS)]
    let text = ''
    for (let i = this.#int(max + 1); i > 0; i--) text += chars[this.#int(chars.length)] ?? ''
    return text
  }

  #pick<T>(items: readonly T[]): T {
    return items[this.#int(items.length)] as T
  }

  #int(below: number): number {
    return Math.floor(this.random() * below)
  }

  #chance(p: number): boolean {
    return this.random() < p
  }
}
