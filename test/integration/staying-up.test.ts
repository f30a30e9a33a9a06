// Staying up through link faults: a bot inside the test process talks to a real Prosody through a proxy that
// resets, blackholes and slows the link; the server itself is killed and restarted. A separate client, connected
// straight to the server, checks over the wire that the bot answers again, and answers each message once.
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { connectPeer, type Peer, type XmlElement, xml } from '../../tools/peer.js'
import { startProxy, type TcpProxy } from '../../tools/proxy.js'
import { type LiveBot, startLiveBot } from '../support/live-bot.js'

const BOT_PASSWORD = 'pw-staying-Up-271'
const PING_INTERVAL_S = 2
const PING_TIMEOUT_S = 1

let prosody: Prosody
let proxy: TcpProxy
let live: LiveBot
let alice: Peer
let botJid: string

beforeAll(async () => {
  prosody = await startProsody({ muc: false })
  botJid = await prosody.register('sturdy', BOT_PASSWORD)
  await prosody.register('alice', 'alice-pw')
  proxy = await startProxy({ host: prosody.host, port: prosody.port })
  ;[live, alice] = await Promise.all([
    startLiveBot(
      {
        jid: botJid,
        password: BOT_PASSWORD,
        service: proxy.service,
        pingInterval: PING_INTERVAL_S,
        pingTimeout: PING_TIMEOUT_S,
        reconnect: { initialDelay: 200, maxDelay: 1_000, connectTimeout: 20_000 },
        // Alice sends bursts of hundreds of messages across resets: per-sender limits would drop most of them.
        limits: false,
      },
      (bot) => {
        bot.subscription({ type: 'subscribe' }, (request) => request.approve())
        bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
      },
    ),
    connectAlice(),
  ])
})

afterAll(async () => {
  await live?.bot.stop(1_000)
  await alice?.close()
  await proxy?.close()
  await prosody?.stop()
})

async function connectAlice(): Promise<Peer> {
  const peer = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
  // Fetching the roster makes alice an interested resource, one that subscription answers reach.
  await peer.iq('alice@localhost', 'get', xml('query', { xmlns: 'jabber:iq:roster' }))
  await peer.sendPresence()
  return peer
}

/** Sends a chat message to the bot's bare JID and waits for the echo. */
async function roundTrip(text: string, ms = 10_000): Promise<XmlElement> {
  await alice.send(xml('message', { to: botJid, type: 'chat', id: `rt-${text}` }, xml('body', {}, text)))
  return alice.waitFor((s) => s.is('message') && s.getChildText('body') === `You said: ${text}`, ms)
}

/** Collects the bodies of the echoes alice receives from now on, from the bot with that bare JID. */
function collectEchoes(from = botJid): string[] {
  const bodies: string[] = []
  alice.client.on('stanza', (stanza) => {
    const body = stanza.is('message') && stanza.attrs.from?.startsWith(`${from}/`) ? stanza.getChildText('body') : null
    if (body?.startsWith('You said: ')) bodies.push(body.slice('You said: '.length))
  })
  return bodies
}

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

describe('a reset link', () => {
  it('is resumed, and the bot answers again, with the status it was given while offline', async () => {
    await alice.send(xml('presence', { to: botJid, type: 'subscribe' }))
    await alice.waitFor((s) => s.is('presence') && s.attrs.type === 'subscribed')
    await roundTrip('before the reset')
    const from = live.events.length
    proxy.reset()
    await live.waitEvent('disconnected', from)
    await live.bot.setStatus('dnd', 'changed while offline')
    const back = await live.waitEvent('ready', from)
    expect(back.info.resumed).toBe(true)
    const presence = await alice.waitFor((s) => s.is('presence') && s.getChildText('status') === 'changed while offline')
    expect(presence.attrs.from).toBe(back.info.jid)
    expect(presence.getChildText('show')).toBe('dnd')
    await roundTrip('after the reset')
  })

  it('loses and doubles nothing: every message sent across the reset is answered exactly once', async () => {
    // Once a message has gone both ways, stream management is on, and the session can be resumed.
    await roundTrip('before the burst')
    const echoes = collectEchoes()
    const from = live.events.length
    const total = 200
    for (let i = 1; i <= total; i++) {
      await alice.send(xml('message', { to: botJid, type: 'chat', id: `burst-${i}` }, xml('body', {}, `burst ${i}`)))
      if (i === total / 2) proxy.reset()
    }
    await until(() => new Set(echoes.filter((e) => e.startsWith('burst '))).size === total, 20_000, 'all echoes')
    // Anything doubled would come before the echo of a message sent after all the others.
    await roundTrip('end of burst')
    await sleep(300)
    const counts = new Map<string, number>()
    for (const echo of echoes.filter((e) => e.startsWith('burst '))) counts.set(echo, (counts.get(echo) ?? 0) + 1)
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([])
    expect(counts.size).toBe(total)
    expect(live.count('disconnected', from)).toBeGreaterThanOrEqual(1)
    expect(
      live.events
        .slice(from)
        .filter((e) => e.event === 'ready')
        .map((e) => e.info),
    ).toContainEqual(expect.objectContaining({ resumed: true }))
  })

  it("keeps the stream-management count right across IQs and the bot's own requests", async () => {
    const echoes = collectEchoes()
    const botFull = live.bot.jid
    // IQs that xmpp.js answers by itself (pings), IQs natter answers, and replies to the bot's own
    // requests, then messages: had any of them gone uncounted, the resumed session would get the last
    // messages again.
    for (let i = 0; i < 3; i++) {
      expect((await alice.iq(botFull, 'get', xml('ping', { xmlns: 'urn:xmpp:ping' }))).attrs.type).toBe('result')
      expect((await alice.iq(botFull, 'get', xml('query', { xmlns: 'urn:example:nothing' }))).attrs.type).toBe('error')
      await live.bot.ping()
    }
    for (let i = 1; i <= 3; i++) await roundTrip(`counted ${i}`)

    const from = live.events.length
    proxy.reset()
    const back = await live.waitEvent('ready', from)
    expect(back.info.resumed).toBe(true)
    await roundTrip('after the count check')
    await sleep(300)
    expect(echoes.filter((e) => e.startsWith('counted '))).toEqual(['counted 1', 'counted 2', 'counted 3'])
    expect(live.logs().filter((l) => String(l.msg).includes('delivered again'))).toEqual([])
  })

  it('counts the stanzas that come in the same read as <enabled/>, so a resumed session gets none again', async () => {
    const jid = await prosody.register('counter', BOT_PASSWORD)
    for (let i = 1; i <= 3; i++) {
      await alice.send(xml('message', { to: jid, type: 'chat', id: `waiting-${i}` }, xml('body', {}, `waiting ${i}`)))
    }
    const echoes = collectEchoes(jid)
    // Held back and delivered in batches, the messages kept for the bot while it was away reach it in
    // the same chunk as the <enabled/> of stream management.
    proxy.slow(100)
    let counter: LiveBot | undefined
    try {
      counter = await startLiveBot({ jid, password: BOT_PASSWORD, service: proxy.service, reconnect: { initialDelay: 200, connectTimeout: 10_000 } })
      await until(() => echoes.length === 3, 10_000, 'the waiting messages to be answered')
      proxy.heal()
      const from = counter.events.length
      const mainFrom = live.events.length
      proxy.reset()
      const back = await counter.waitEvent('ready', from)
      expect(back.info.resumed).toBe(true)
      await live.waitEvent('ready', mainFrom)
      await alice.send(xml('message', { to: jid, type: 'chat', id: 'after' }, xml('body', {}, 'after the resume')))
      await until(() => echoes.includes('after the resume'), 10_000, 'the echo after the resume')
      await sleep(300)
      expect(echoes).toEqual(['waiting 1', 'waiting 2', 'waiting 3', 'after the resume'])
      expect(counter.logs().filter((l) => String(l.msg).includes('delivered again'))).toEqual([])
    } finally {
      proxy.heal()
      await counter?.bot.stop(1_000)
    }
  })
})

describe('a slow link', () => {
  it('still carries messages, and its quiet spells are pinged and answered, not taken for dead', async () => {
    await roundTrip('before slowing down')
    const from = live.events.length
    proxy.slow(200)
    try {
      await roundTrip('through the slow link')
      // Long enough for a ping to go out and be answered, or else for the link to be declared dead.
      await sleep((PING_INTERVAL_S + PING_TIMEOUT_S) * 1000 + 1_000)
      await roundTrip('still through the slow link')
      expect(live.count('disconnected', from)).toBe(0)
    } finally {
      proxy.heal()
    }
  })
})

describe('a blackholed link', () => {
  it(`is noticed by the liveness ping (XMPP_PING_INTERVAL ${PING_INTERVAL_S} s, XMPP_PING_TIMEOUT ${PING_TIMEOUT_S} s), and resumed once it carries again`, async () => {
    const from = live.events.length
    const logsFrom = live.logs().length
    try {
      proxy.blackhole()
      // Well before the default settings (60 s + 10 s) could notice it; when exactly is the unit tests' business.
      const dropped = await live.waitEvent('disconnected', from, undefined, 20_000)
      expect(dropped.info.error?.message).toContain(`no answer from the server within ${PING_TIMEOUT_S} s of a ping`)
      // An attempt into the blackhole hears nothing either: it is given up for that silence, long before
      // its connect timeout.
      const failedAttempt = () =>
        live
          .logs()
          .slice(logsFrom)
          .find((l) => l.msg === 'cannot connect')
      await until(() => failedAttempt() !== undefined, 15_000, 'an attempt into the blackhole to fail')
      expect(failedAttempt()?.err).toMatch(/no answer from the server/)
    } finally {
      proxy.heal()
    }
    // The server still holds the old connection open, as nothing reached it; resuming takes over from it.
    const back = await live.waitEvent('ready', from)
    expect(back.info.resumed).toBe(true)
    await roundTrip('after the blackhole')
  })
})

describe('the server killed with SIGKILL and restarted', () => {
  it('brings the bot back with its presence and status, and sends what was said while offline', async () => {
    await live.bot.setStatus('away', 'weathering outages')

    const from = live.events.length
    await prosody.kill()
    await live.waitEvent('disconnected', from)
    const offlineSay = live.bot.say('alice@localhost', 'said while the server was down')
    await live.waitEvent('reconnecting', from, (r) => r.attempt >= 2)
    await prosody.restart()

    const back = await live.waitEvent('ready', from, undefined, 20_000)
    expect(back.info.resumed).toBe(false)
    await offlineSay
    for (const r of live.events.slice(from).filter((e) => e.event === 'reconnecting')) {
      const { attempt, delay } = r.info as { attempt: number; delay: number }
      expect(attempt).toBeGreaterThanOrEqual(1)
      expect(delay).toBeGreaterThanOrEqual(0)
      expect(delay).toBeLessThanOrEqual(1_000)
    }

    await alice.close()
    alice = await connectAlice()
    const presence = await alice.waitFor((s) => s.is('presence') && s.attrs.from === back.info.jid && s.attrs.type === undefined)
    expect(presence.getChildText('show')).toBe('away')
    expect(presence.getChildText('status')).toBe('weathering outages')
    await alice.waitFor((s) => s.is('message') && s.getChildText('body') === 'said while the server was down')
    await roundTrip('after the restart')
    expect(alice.inbox.filter((s) => s.getChildText('body') === 'said while the server was down')).toEqual([])
  })
})
