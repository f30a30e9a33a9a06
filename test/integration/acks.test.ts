// Stream management (XEP-0198) acks on the wire: a bot inside the test process talks to a real Prosody through a
// relay that records both directions, and a separate client sends it messages. natter answers the server's ack
// requests itself and keeps the queue of what it sent itself, so both are checked here byte by byte.
import net from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { connectPeer, type Peer, xml } from '../../tools/peer.js'
import { type LiveBot, startLiveBot } from '../support/live-bot.js'

const BOT_PASSWORD = 'pw-acks-Ack-198'
/** Longer than the pause after which the bot asks for an ack (250 ms), with room for a busy machine. */
const PAUSE_MS = 1_000
const SERVER_REQUEST = /<r\s+xmlns=["']urn:xmpp:sm:3["']\s*\/>/g
const BOT_ANSWER = /<a\s[^>]*\bh=["'](\d+)["'][^>]*\/>/g
const BOT_REQUEST = /<r\s+xmlns=["']urn:xmpp:sm:3["']\s*\/>/g

let prosody: Prosody
let relay: net.Server
let live: LiveBot
let alice: Peer
let botJid: string
/** What the bot wrote and what the server wrote, since the start. */
const wire = { up: '', down: '' }

beforeAll(async () => {
  prosody = await startProsody({ muc: false })
  botJid = await prosody.register('acker', BOT_PASSWORD)
  await prosody.register('alice', 'alice-pw')
  relay = net.createServer((bot) => {
    const server = net.connect({ host: prosody.host, port: prosody.port })
    bot.on('data', (chunk: Buffer) => {
      wire.up += chunk.toString()
      server.write(chunk)
    })
    server.on('data', (chunk: Buffer) => {
      wire.down += chunk.toString()
      bot.write(chunk)
    })
    bot.on('close', () => server.destroy())
    server.on('close', () => bot.destroy())
    bot.on('error', () => {})
    server.on('error', () => {})
  })
  await new Promise<void>((resolve) => relay.listen(0, prosody.host, resolve))
  const { port } = relay.address() as net.AddressInfo
  ;[live, alice] = await Promise.all([
    startLiveBot({ jid: botJid, password: BOT_PASSWORD, service: `xmpp://${prosody.host}:${port}` }),
    connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' }),
  ])
  await alice.sendPresence()
})

afterAll(async () => {
  await live?.bot.stop(1_000)
  await alice?.close()
  await new Promise((resolve) => relay?.close(resolve))
  await prosody?.stop()
})

describe('stream management acks', () => {
  it('answers each ack request of the server, and asks for one of its own once its replies pause', async () => {
    await sleep(PAUSE_MS)
    expect(wire.down).toMatch(/<enabled\s[^>]*xmlns=["']urn:xmpp:sm:3["']/)
    const up = wire.up.length
    const down = wire.down.length
    for (let i = 1; i <= 3; i++) {
      await alice.send(xml('message', { to: botJid, type: 'chat', id: `ack-${i}` }, xml('body', {}, `ack ${i}`)))
      await alice.waitFor((s) => s.is('message') && s.getChildText('body') === `You said: ack ${i}`)
    }
    await sleep(PAUSE_MS)

    const sent = wire.up.slice(up)
    const received = wire.down.slice(down)
    const requests = received.match(SERVER_REQUEST) ?? []
    const answers = [...sent.matchAll(BOT_ANSWER)].map((m) => Number(m[1]))
    expect(requests.length).toBeGreaterThan(0)
    expect(answers).toHaveLength(requests.length)
    // h counts what the bot received, so it only grows.
    expect(answers).toEqual([...answers].sort((a, b) => a - b))
    // The bot's own request comes after its last reply, and the server answers it.
    const lastReply = sent.lastIndexOf('You said: ack 3')
    expect(lastReply).toBeGreaterThan(-1)
    expect(sent.slice(lastReply).match(BOT_REQUEST)).toHaveLength(1)
    expect(received).toMatch(/<a\s[^>]*xmlns=["']urn:xmpp:sm:3["']/)
  })

  it('asks for an ack under steady load too, not only once its replies pause', async () => {
    await sleep(PAUSE_MS)
    const up = wire.up.length
    for (let i = 1; i <= 40; i++) {
      await alice.send(xml('message', { to: botJid, type: 'chat', id: `steady-${i}` }, xml('body', {}, `steady ${i}`)))
      await sleep(40)
    }
    await alice.waitFor((s) => s.is('message') && s.getChildText('body') === 'You said: steady 40')
    const sent = wire.up.slice(up)
    // A request before the last reply: asked while the replies still flowed.
    expect(sent.slice(0, sent.lastIndexOf('You said: steady 40')).match(BOT_REQUEST)?.length ?? 0).toBeGreaterThan(0)
  })
})
