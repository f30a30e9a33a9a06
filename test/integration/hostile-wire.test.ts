// Hostile stanzas over the wire, to the command example run with -D against a real Prosody: an IQ nested
// 20,000 deep (Prosody relays it), secrets in data forms, and a slice of the fuzz test's stanzas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BotProcess } from '../../tools/bot-process.js'
import { type Peer, type XmlElement, xml } from '../../tools/peer.js'
import { type CommandBotScene, startCommandBot } from '../support/command-bot.js'
import { HostileStanzas, seeded } from '../support/hostile.js'

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_601)
const WIRE_STANZAS = 300

let scene: CommandBotScene
let bot: BotProcess
let alice: Peer
let bob: Peer
let botJid: string
/** The bot's full JID on its session. */
let botFull: string

beforeAll(async () => {
  scene = await startCommandBot({ args: ['-D'] })
  ;({ bot, alice, bob, botJid, botFull } = scene)
})

afterAll(() => scene?.stop())

/**
 * An element that goes out as `raw`: xmpp.js writes an element with its recursive toString(), which
 * cannot write 20,000 levels, while stream management still counts it as a stanza.
 */
function prewritten(name: string, attrs: Record<string, string>, raw: string): XmlElement {
  const element = xml(name, attrs)
  element.toString = () => raw
  return element
}

function condition(reply: XmlElement): string | undefined {
  return reply
    .getChild('error')
    ?.getChildElements()
    .find((c) => c.attrs.xmlns === NS_STANZAS && c.name !== 'text')?.name
}

describe('a stanza nested 20,000 deep', () => {
  it('as an IQ get, is relayed by Prosody and answered policy-violation by the bot, which goes on', async () => {
    const depth = 20_000
    const raw = `<iq type="get" to="${botFull}" id="deep-1"><query xmlns="urn:example:deep">${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</query></iq>`
    const reply = alice.waitFor((s) => s.attrs.id === 'deep-1', 10_000)
    await alice.send(prewritten('iq', { type: 'get', to: botFull, id: 'deep-1' }, raw))
    const answer = await reply
    expect(answer.attrs.type).toBe('error')
    expect(condition(answer)).toBe('policy-violation')
    // The -D line shows the stanza cut, in one piece.
    const logged = await bot.waitForLog((l) => l.msg === 'xmpp in' && String(l.xml).includes('id="deep-1"'))
    expect(String(logged.xml).length).toBeLessThan(2_000)
    expect(bot.output()).not.toContain('cannot log this element')
    const pong = await bob.iq(botFull, 'get', xml('ping', { xmlns: 'urn:xmpp:ping' }))
    expect(pong.attrs.type).toBe('result')
  })
})

describe('-D logs', () => {
  it('hide data form secrets and passwords in what comes in', async () => {
    const secrets = ['room-s3cret-77', 'private-tok-88', 'pw-field-99', 'pw-element-11']
    await alice.send(
      xml(
        'message',
        { to: botFull, id: 'form-1' },
        xml(
          'x',
          { xmlns: 'jabber:x:data', type: 'submit' },
          xml('field', { var: 'muc#roomconfig_roomsecret' }, xml('value', {}, secrets[0])),
          xml('field', { var: 'token', type: 'text-private' }, xml('value', {}, secrets[1])),
          xml('field', { var: 'new_password' }, xml('value', {}, secrets[2])),
        ),
        xml('x', { xmlns: 'http://jabber.org/protocol/muc' }, xml('password', {}, secrets[3])),
      ),
    )
    const logged = await bot.waitForLog((l) => l.msg === 'xmpp in' && String(l.xml).includes('id="form-1"'))
    expect(String(logged.xml)).toContain('<field var="muc#roomconfig_roomsecret"><value>hidden</value></field>')
    for (const secret of secrets) expect(bot.output()).not.toContain(secret)
  })
})

describe("the fuzz test's stanzas over the wire", () => {
  it(`leave the bot up, answering every IQ request, within bounded memory (${WIRE_STANZAS} stanzas)`, { timeout: 60_000 }, async () => {
    const before = bot.rssMb()
    const hostile = new HostileStanzas(seeded(SEED), { bot: botFull, room: 'lobby@conference.localhost', wire: true })
    const requests: string[] = []
    const sent = new Map<string, string>()
    const peerErrors: Error[] = []
    alice.client.on('error', (error) => peerErrors.push(error))
    for (let i = 0; i < WIRE_STANZAS; i++) {
      const stanza = hostile.next()
      const id = `wire-${i}`
      if (stanza.attrs.id !== undefined) stanza.attrs.id = id
      const type = stanza.attrs.type
      if (stanza.name === 'iq' && type !== 'result' && type !== 'error' && stanza.attrs.to === botFull && stanza.attrs.id === id) requests.push(id)
      sent.set(id, stanza.toString().slice(0, 400))
      await alice.send(stanza)
    }
    const answers = await Promise.allSettled(requests.map((id) => alice.waitFor((s) => s.name === 'iq' && s.attrs.id === id, 10_000)))
    const unanswered = requests.filter((_id, i) => answers[i]?.status === 'rejected')
    expect(
      unanswered.map((id) => sent.get(id)),
      `seed ${SEED}: IQ requests with no answer`,
    ).toEqual([])
    expect(requests.length).toBeGreaterThan(10)
    // Still up and answering, and alice's stream survived what she sent.
    const echoed = await bob.iq(botFull, 'get', xml('ping', { xmlns: 'urn:xmpp:ping' }))
    expect(echoed.attrs.type).toBe('result')
    await bob.send(xml('message', { to: botJid, type: 'chat' }, xml('body', {}, 'echo alive')))
    expect((await bob.waitFor((s) => s.getChildText('body') === 'alive')).name).toBe('message')
    expect(peerErrors).toEqual([])
    expect(bot.child.exitCode).toBeNull()
    expect(bot.output()).not.toMatch(/uncaught exception|unhandled promise rejection|Maximum call stack/)
    expect(bot.rssMb() - before).toBeLessThan(60)
  })
})
