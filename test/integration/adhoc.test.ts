// The command example's ad-hoc commands and caps as a contact's client (xmpp.js) sees them over a real Prosody.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { capsVer } from '../../src/plugins/caps/caps-ver.js'
import { type XmlElement, xml } from '../../tools/peer.js'
import { type CommandBotScene, startCommandBot } from '../support/command-bot.js'

const NS_CAPS = 'http://jabber.org/protocol/caps'
const NS_INFO = 'http://jabber.org/protocol/disco#info'
const NS_ITEMS = 'http://jabber.org/protocol/disco#items'
const NS_COMMANDS = 'http://jabber.org/protocol/commands'
const NS_DATA = 'jabber:x:data'

/** The hash of a disco#info answer as the peer's client parsed it (the same ltx element natter's type describes). */
const verOf = (query: XmlElement | undefined): string => capsVer(query as unknown as Parameters<typeof capsVer>[0])

let scene: CommandBotScene
let presence: XmlElement

beforeAll(async () => {
  scene = await startCommandBot()
  const { alice, botJid } = scene
  await alice.sendPresence()
  // The example approves every subscription; the server then hands Alice the bot's presence.
  await alice.send(xml('presence', { to: botJid, type: 'subscribe' }))
  presence = await alice.waitFor((s) => s.name === 'presence' && s.attrs.from === scene.botFull && s.attrs.type === undefined, 10_000)
})

afterAll(async () => {
  await scene?.stop()
})

describe('caps', () => {
  it("carry the hash of the bot's disco#info in its presence", async () => {
    const c = presence.getChild('c', NS_CAPS)
    expect(c?.attrs.hash).toBe('sha-1')
    const reply = await scene.alice.iq(scene.botFull, 'get', xml('query', { xmlns: NS_INFO }))
    const query = reply.getChild('query', NS_INFO)
    expect(query).toBeDefined()
    expect(c?.attrs.ver).toBe(verOf(query))
  })

  it('are answered on node#ver', async () => {
    const c = presence.getChild('c', NS_CAPS)
    const node = `${c?.attrs.node}#${c?.attrs.ver}`
    const reply = await scene.alice.iq(scene.botFull, 'get', xml('query', { xmlns: NS_INFO, node }))
    expect(reply.attrs.type).toBe('result')
    expect(verOf(reply.getChild('query', NS_INFO))).toBe(c?.attrs.ver)
  })
})

describe('ad-hoc commands', () => {
  it("list the example's commands, admin ones left out", async () => {
    const reply = await scene.alice.iq(scene.botFull, 'get', xml('query', { xmlns: NS_ITEMS, node: NS_COMMANDS }))
    const nodes = reply
      .getChild('query', NS_ITEMS)
      ?.getChildren('item')
      .map((i) => i.attrs.node)
    expect(nodes).toEqual(expect.arrayContaining(['echo', 'time', 'roll']))
    expect(reply.getChild('query', NS_ITEMS)?.getChild('item')?.attrs.jid).toBe(scene.botFull)
  })

  it('run echo: a form asks for the text, and the command completes with it', async () => {
    const first = await scene.alice.iq(scene.botFull, 'set', xml('command', { xmlns: NS_COMMANDS, node: 'echo', action: 'execute' }))
    const asking = first.getChild('command', NS_COMMANDS)
    expect(asking?.attrs.status).toBe('executing')
    const form = asking?.getChild('x', NS_DATA)
    expect(form?.attrs.type).toBe('form')
    const field = form?.getChildren('field').find((f) => f.attrs.var === 'text')
    expect(field?.getChild('required')).toBeDefined()
    const submit = xml('x', { xmlns: NS_DATA, type: 'submit' }, xml('field', { var: 'text' }, xml('value', {}, 'hello over the wire')))
    const done = await scene.alice.iq(
      scene.botFull,
      'set',
      xml('command', { xmlns: NS_COMMANDS, node: 'echo', action: 'complete', sessionid: asking?.attrs.sessionid }, submit),
    )
    const completed = done.getChild('command', NS_COMMANDS)
    expect(completed?.attrs.status).toBe('completed')
    expect(completed?.getChild('note')?.getText()).toBe('hello over the wire')
  })

  it('run time at once', async () => {
    const reply = await scene.alice.iq(scene.botFull, 'set', xml('command', { xmlns: NS_COMMANDS, node: 'time', action: 'execute' }))
    const command = reply.getChild('command', NS_COMMANDS)
    expect(command?.attrs.status).toBe('completed')
    expect(Date.parse(command?.getChild('note')?.getText() ?? '')).not.toBeNaN()
  })
})
