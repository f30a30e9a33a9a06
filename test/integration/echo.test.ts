// The echo example as a worker process, against a real Prosody, checked over the wire by a separate client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type BotProcess, startBotProcess } from '../../tools/bot-process.js'
import { connectPeer, type Peer, xml } from '../../tools/peer.js'

const BOT_PASSWORD = 'pw-echo-Secret-4711'
const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'

let prosody: Prosody
let bot: BotProcess
let peer: Peer
let botJid: string

beforeAll(async () => {
  prosody = await startProsody()
  botJid = await prosody.register('echo', BOT_PASSWORD)
  await prosody.register('alice', 'alice-pw')
  bot = startBotProcess('dist/examples/echo.js', { JID: botJid, JPASSWORD: BOT_PASSWORD, XMPP_SERVICE: prosody.service }, ['-D'])
  await bot.waitForLog((l) => l.msg === 'online')
  peer = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
  // Fetching the roster makes alice an interested resource, one that subscription answers are delivered to.
  await peer.iq('alice@localhost', 'get', xml('query', { xmlns: 'jabber:iq:roster' }))
  await peer.sendPresence()
})

afterAll(async () => {
  bot?.kill('SIGKILL')
  await peer?.close()
  await prosody?.stop()
})

describe('echo bot over the wire', () => {
  it('answers a chat message with "You said: <body>"', async () => {
    await peer.send(xml('message', { to: botJid, type: 'chat', id: 'm1' }, xml('body', {}, 'hello there')))
    const reply = await peer.waitFor((s) => s.name === 'message' && s.getChildText('body') !== null)
    expect(reply.getChildText('body')).toBe('You said: hello there')
    expect(reply.attrs.type).toBe('chat')
    expect(reply.attrs.from?.startsWith(`${botJid}/`)).toBe(true)
  })

  it('keeps the thread of the message it answers', async () => {
    await peer.send(xml('message', { to: botJid, type: 'chat' }, xml('body', {}, 'in a thread'), xml('thread', {}, 'T-42')))
    const reply = await peer.waitFor((s) => s.name === 'message' && s.getChildText('body') === 'You said: in a thread')
    expect(reply.getChildText('thread')).toBe('T-42')
  })

  it('ignores chat messages without a body, such as chat states', async () => {
    await peer.send(xml('message', { to: botJid, type: 'chat' }, xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' })))
    await peer.send(xml('message', { to: botJid, type: 'chat' }, xml('body', {}, 'after the state')))
    const reply = await peer.waitFor((s) => s.name === 'message')
    expect(reply.getChildText('body')).toBe('You said: after the state')
  })

  it('approves a subscription request', async () => {
    await peer.send(xml('presence', { to: botJid, type: 'subscribe' }))
    const answer = await peer.waitFor((s) => s.name === 'presence' && s.attrs.type === 'subscribed')
    expect(answer.attrs.from).toBe(botJid)
    // Now subscribed, alice sees the bot's presence.
    const presence = await peer.waitFor((s) => s.name === 'presence' && s.attrs.from?.startsWith(`${botJid}/`) === true && !s.attrs.type)
    expect(presence).toBeDefined()
  })

  it('answers an XEP-0199 ping', async () => {
    const full = await fullJidOfBot()
    const reply = await peer.iq(full, 'get', xml('ping', { xmlns: 'urn:xmpp:ping' }))
    expect(reply.attrs.type).toBe('result')
  })

  it('answers an unknown IQ with service-unavailable', async () => {
    const full = await fullJidOfBot()
    const reply = await peer.iq(full, 'get', xml('query', { xmlns: 'urn:example:nothing-here' }))
    expect(reply.attrs.type).toBe('error')
    expect(reply.getChild('error')?.getChild('service-unavailable', NS_STANZAS)).toBeDefined()
  })

  it('logs every stanza with -D but never the password', async () => {
    const out = await bot.waitForLog((l) => l.msg === 'xmpp in' && String(l.xml).includes('urn:xmpp:ping'))
    expect(out).toBeDefined()
    expect(bot.output()).toContain('<auth xmlns=\\"urn:ietf:params:xml:ns:xmpp-sasl\\" mechanism=\\"SCRAM-SHA-256\\"><hidden')
    expect(bot.output()).not.toContain(BOT_PASSWORD)
  })

  it('on SIGTERM sends unavailable presence and exits 0 within 5 s', async () => {
    const full = await fullJidOfBot()
    bot.kill('SIGTERM')
    const gone = await peer.waitFor((s) => s.name === 'presence' && s.attrs.from === full && s.attrs.type === 'unavailable')
    expect(gone).toBeDefined()
    const { code, signal } = await bot.exited
    expect(signal).toBeNull()
    expect(code).toBe(0)
    expect(bot.output()).not.toContain(BOT_PASSWORD)
  })
})

/** The bot's bound full JID, from its own "online" log line. */
async function fullJidOfBot(): Promise<string> {
  const line = await bot.waitForLog((l) => l.msg === 'online')
  return String(line.jid)
}
