// The DSL over the wire: an in-process bot against a real Prosody, driven by separate XMPP clients.

import { type Bot, createBot, xml as natterXml, type PresenceContext, StanzaError, type SubscriptionContext } from 'natter'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { connectPeer, type Peer, xml } from '../../tools/peer.js'

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'

let prosody: Prosody
let bot: Bot
let alice: Peer
let bob: Peer
let botFull: string
const presences: PresenceContext[] = []
const subscriptions: SubscriptionContext[] = []

beforeAll(async () => {
  prosody = await startProsody()
  const botJid = await prosody.register('dslbot', 'dsl-pw')
  await prosody.register('alice', 'alice-pw')
  await prosody.register('bob', 'bob-pw')
  bot = createBot({ jid: botJid, password: 'dsl-pw', service: prosody.service, env: {}, logLevel: 'silent' })
  bot.iq({ type: 'get', xmlns: 'urn:example:boom' }, () => {
    throw new Error('handler bug')
  })
  bot.iq({ type: 'get', xmlns: 'urn:example:secret' }, () => {
    throw new StanzaError('forbidden', 'auth', 'not for you')
  })
  bot.iq({ type: 'get', xmlns: 'urn:example:answer', element: 'query' }, () =>
    natterXml('query', { xmlns: 'urn:example:answer' }, natterXml('value', {}, '42')),
  )
  bot.iq({ type: 'get', xmlns: 'urn:example:huge', element: 'query' }, () => natterXml('query', { xmlns: 'urn:example:huge' }, 'x'.repeat(300_000)))
  bot.message({ type: 'chat', body: /^roll (\d+)$/ }, (msg) => msg.reply(`rolled ${msg.match[1]}`))
  bot.message({ type: 'chat', body: 'break' }, () => {
    throw new Error('handler bug')
  })
  bot.message({ type: 'chat', body: 'slow' }, async (msg) => {
    await msg.typing()
    await new Promise((resolve) => setTimeout(resolve, 200))
    await msg.reply('done')
  })
  bot.subscription({ type: 'subscribe' }, async (req) => {
    await req.approve()
    await req.subscribeBack()
  })
  bot.subscription((s) => {
    subscriptions.push(s)
  })
  bot.presence({ from: 'alice@localhost' }, (p) => {
    presences.push(p)
  })
  await bot.start()
  botFull = bot.jid
  alice = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
  bob = await connectPeer({ service: prosody.service, jid: 'bob@localhost', password: 'bob-pw' })
})

afterAll(async () => {
  await bot?.stop(1000)
  await alice?.close()
  await bob?.close()
  await prosody?.stop()
})

describe('IQ handling', () => {
  it('answers disco#info with the bot identity and its features', async () => {
    const reply = await alice.iq(botFull, 'get', xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }))
    expect(reply.attrs.type).toBe('result')
    const query = reply.getChild('query', 'http://jabber.org/protocol/disco#info')
    expect(query?.getChild('identity')?.attrs).toMatchObject({ category: 'client', type: 'bot' })
    const features = query?.getChildren('feature').map((f) => f.attrs.var) ?? []
    for (const f of ['urn:xmpp:ping', 'jabber:iq:version', 'http://jabber.org/protocol/disco#info', 'urn:example:answer']) {
      expect(features).toContain(f)
    }
  })

  it('tells that the server enabled stream management on its session', async () => {
    await expect.poll(() => bot.streamManagement).toBe(true)
  })

  it('answers a software version query with natter and its version', async () => {
    const reply = await alice.iq(botFull, 'get', xml('query', { xmlns: 'jabber:iq:version' }))
    const query = reply.getChild('query', 'jabber:iq:version')
    expect(query?.getChildText('name')).toBe('natter')
    expect(query?.getChildText('version')).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('sends the handler return value as the result payload', async () => {
    const reply = await alice.iq(botFull, 'get', xml('query', { xmlns: 'urn:example:answer' }))
    expect(reply.attrs.type).toBe('result')
    expect(reply.getChild('query', 'urn:example:answer')?.getChildText('value')).toBe('42')
  })

  it('answers internal-server-error when a handler throws, and goes on', async () => {
    const reply = await alice.iq(botFull, 'get', xml('query', { xmlns: 'urn:example:boom' }))
    expect(reply.getChild('error')?.getChild('internal-server-error', NS_STANZAS)).toBeDefined()
    const again = await alice.iq(botFull, 'get', xml('query', { xmlns: 'urn:example:answer' }))
    expect(again.attrs.type).toBe('result')
  })

  it('answers internal-server-error instead of an answer bigger than the server takes, and stays connected', async () => {
    const reply = await alice.iq(botFull, 'get', xml('query', { xmlns: 'urn:example:huge' }))
    expect(reply.getChild('error')?.getChild('internal-server-error', NS_STANZAS)).toBeDefined()
    expect(reply.getChild('error')?.getChildText('text', NS_STANZAS)).toBe('the answer is bigger than the server takes')
    const again = await alice.iq(botFull, 'get', xml('query', { xmlns: 'urn:example:answer' }))
    expect(again.attrs.type).toBe('result')
    expect(bot.jid).toBe(botFull)
  })

  it('turns a thrown StanzaError into that error reply', async () => {
    const reply = await alice.iq(botFull, 'get', xml('query', { xmlns: 'urn:example:secret' }))
    const error = reply.getChild('error')
    expect(error?.attrs.type).toBe('auth')
    expect(error?.getChild('forbidden', NS_STANZAS)).toBeDefined()
    expect(error?.getChildText('text', NS_STANZAS)).toBe('not for you')
  })

  it('answers unknown IQs with service-unavailable', async () => {
    const reply = await alice.iq(botFull, 'set', xml('query', { xmlns: 'urn:example:unknown' }))
    expect(reply.getChild('error')?.getChild('service-unavailable', NS_STANZAS)).toBeDefined()
  })

  it('acknowledges a roster push from its own server and refuses one from a stranger', async () => {
    await bot.roster.add('alice@localhost', { name: 'Alice', groups: ['Friends'] })
    await expect.poll(() => bot.roster.get('alice@localhost')?.name).toBe('Alice')
    expect(bot.roster.get('alice@localhost')?.groups).toEqual(['Friends'])
    const forged = await bob.iq(botFull, 'set', xml('query', { xmlns: 'jabber:iq:roster' }, xml('item', { jid: 'evil@localhost' })))
    expect(forged.attrs.type).toBe('error')
    expect(bot.roster.get('evil@localhost')).toBeUndefined()
    await bot.roster.remove('alice@localhost')
    await expect.poll(() => bot.roster.get('alice@localhost')).toBeUndefined()
  })
})

describe('presence and subscriptions', () => {
  it("approves, subscribes back, sees the contact's show and status, and shares its own", async () => {
    await alice.iq('alice@localhost', 'get', xml('query', { xmlns: 'jabber:iq:roster' }))
    await alice.sendPresence()
    await alice.send(xml('presence', { to: 'dslbot@localhost', type: 'subscribe' }))
    await alice.waitFor((s) => s.name === 'presence' && s.attrs.type === 'subscribed' && s.attrs.from === 'dslbot@localhost')
    const request = await alice.waitFor((s) => s.name === 'presence' && s.attrs.type === 'subscribe' && s.attrs.from === 'dslbot@localhost')
    expect(request).toBeDefined()
    await alice.send(xml('presence', { to: 'dslbot@localhost', type: 'subscribed' }))
    await expect.poll(() => subscriptions.map((s) => s.type)).toContain('subscribed')

    await alice.send(xml('presence', {}, xml('show', {}, 'dnd'), xml('status', {}, 'in a meeting'), xml('priority', {}, '5')))
    await expect.poll(() => presences.find((p) => p.show === 'dnd')).toBeDefined()
    const busy = presences.find((p) => p.show === 'dnd')
    expect(busy).toMatchObject({ type: 'available', status: 'in a meeting', priority: 5 })

    await bot.setStatus('away', 'gone fishing')
    const status = await alice.waitFor((s) => s.name === 'presence' && s.attrs.from === botFull && s.getChildText('show') === 'away')
    expect(status.getChildText('status')).toBe('gone fishing')

    await alice.send(xml('presence', { to: 'dslbot@localhost', type: 'unsubscribe' }))
    await expect.poll(() => subscriptions.map((s) => s.type)).toContain('unsubscribe')
  })
})

describe('requests from the bot', () => {
  it('pings a JID and returns the round trip', async () => {
    const ms = await bot.ping(alice.jid)
    expect(ms).toBeGreaterThan(0)
  })

  it("ignores a forged result from a stranger and takes the addressee's reply", async () => {
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    alice.client.iqCallee.get('urn:example:held', 'query', async () => {
      await held
      return xml('query', { xmlns: 'urn:example:held' }, xml('from', {}, 'alice'))
    })
    const answer = bot.request({ to: alice.jid, type: 'get', payload: natterXml('query', { xmlns: 'urn:example:held' }), timeout: 5000 })
    const request = await alice.waitFor((s) => s.name === 'iq' && s.getChild('query', 'urn:example:held') !== undefined)
    const id = request.attrs.id
    await bob.send(xml('iq', { to: botFull, type: 'result', id }, xml('query', { xmlns: 'urn:example:held' }, xml('from', {}, 'bob'))))
    await new Promise((resolve) => setTimeout(resolve, 100))
    release()
    const reply = await answer
    expect(reply.getChild('query', 'urn:example:held')?.getChildText('from')).toBe('alice')
  })
})

describe('messages', () => {
  it('tells the sender when a handler fails, with a reference', async () => {
    await alice.send(xml('message', { to: botFull, type: 'chat' }, xml('body', {}, 'break')))
    const reply = await alice.waitFor((s) => s.name === 'message' && s.getChildText('body') !== null)
    expect(reply.getChildText('body')).toMatch(/^Sorry, something went wrong \(ref [0-9a-f]{6}\)\.$/)
  })

  it('passes RegExp captures to the handler', async () => {
    await alice.send(xml('message', { to: botFull, type: 'chat' }, xml('body', {}, 'roll 20')))
    const reply = await alice.waitFor((s) => s.name === 'message' && s.getChildText('body') !== null)
    expect(reply.getChildText('body')).toBe('rolled 20')
  })

  it('shows composing while a slow handler runs, then active with the reply', async () => {
    await alice.send(xml('message', { to: botFull, type: 'chat' }, xml('body', {}, 'slow')))
    const composing = await alice.waitFor((s) => s.name === 'message' && s.getChild('composing', 'http://jabber.org/protocol/chatstates') !== undefined)
    expect(composing.getChildText('body')).toBeNull()
    const reply = await alice.waitFor((s) => s.name === 'message' && s.getChildText('body') === 'done')
    expect(reply.getChild('active', 'http://jabber.org/protocol/chatstates')).toBeDefined()
  })
})
