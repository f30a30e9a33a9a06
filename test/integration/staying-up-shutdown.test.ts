// Graceful shutdown of a worker process: SIGTERM during a slow handler, a second SIGTERM, the deadline, and the
// shutdown hooks. The bots are built scripts run as child processes (test/fixtures/slow-bot.ts), checked over
// the wire by a separate client.
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type BotProcess, startBotProcess } from '../../tools/bot-process.js'
import { connectPeer, type Peer, type XmlElement, xml } from '../../tools/peer.js'
import { startLiveBot } from '../support/live-bot.js'

const SLOW_BOT = 'dist/test/fixtures/slow-bot.js'
const BOT_PASSWORD = 'pw-Shutdown-9001'

let prosody: Prosody
let alice: Peer
let botJid: string
const running: BotProcess[] = []

beforeAll(async () => {
  prosody = await startProsody({ muc: false })
  botJid = await prosody.register('closer', BOT_PASSWORD)
  await prosody.register('alice', 'alice-pw')
  alice = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
  // Subscribed to the bot's presence, alice sees it go offline. The roster fetch makes her an interested
  // resource, one that subscription answers reach.
  await alice.iq('alice@localhost', 'get', xml('query', { xmlns: 'jabber:iq:roster' }))
  await alice.sendPresence()
  const bot = await startLiveBot({ jid: botJid, password: BOT_PASSWORD, service: prosody.service }, (b) => {
    b.subscription({ type: 'subscribe' }, (request) => request.approve())
  })
  await alice.send(xml('presence', { to: botJid, type: 'subscribe' }))
  await alice.waitFor((s) => s.is('presence') && s.attrs.type === 'subscribed')
  await bot.bot.stop(1_000)
  await alice.waitFor((s) => s.is('presence') && s.attrs.type === 'unavailable')
})

afterAll(async () => {
  for (const bot of running) bot.kill('SIGKILL')
  await alice?.close()
  await prosody?.stop()
})

/**
 * Starts the slow bot as a process and waits until alice sees it available: before that, a message to its bare
 * JID would reach only the sessions the server already has, such as one a killed bot left hibernating.
 */
async function startSlowBot(env: Record<string, string> = {}): Promise<{ bot: BotProcess; jid: string }> {
  const bot = startBotProcess(SLOW_BOT, { JID: botJid, JPASSWORD: BOT_PASSWORD, XMPP_SERVICE: prosody.service, ...env })
  running.push(bot)
  const jid = String((await bot.waitForLog((l) => l.msg === 'online')).jid)
  await alice.waitFor((s) => s.is('presence') && s.attrs.from === jid && s.attrs.type === undefined)
  return { bot, jid }
}

async function say(text: string): Promise<void> {
  await alice.send(xml('message', { to: botJid, type: 'chat', id: `sd-${text}` }, xml('body', {}, text)))
}

/** Records, in order, what alice receives from now on. */
function record(): XmlElement[] {
  const seen: XmlElement[] = []
  alice.client.on('stanza', (stanza) => seen.push(stanza))
  return seen
}

const body = (text: string) => (s: XmlElement) => s.is('message') && s.getChildText('body') === text
const goneFrom = (jid: string) => (s: XmlElement) => s.is('presence') && s.attrs.from === jid && s.attrs.type === 'unavailable'

describe('SIGTERM', () => {
  it('lets a slow handler finish and send its reply, then goes offline and exits 0; what arrives meanwhile waits for the next instance', async () => {
    const { bot, jid } = await startSlowBot()
    const seen = record()
    await say('slow 3000')
    await bot.waitForLog((l) => l.msg === 'slow handler started')
    bot.kill('SIGTERM')
    await bot.waitForLog((l) => l.msg === 'shutting down')
    await say('sent during the shutdown')

    await alice.waitFor(body('done after 3000 ms'), 10_000)
    await alice.waitFor(goneFrom(jid), 10_000)
    const { code, signal } = await bot.exited
    expect({ code, signal }).toEqual({ code: 0, signal: null })
    const reply = seen.findIndex(body('done after 3000 ms'))
    expect(reply).toBeGreaterThanOrEqual(0)
    expect(reply).toBeLessThan(seen.findIndex(goneFrom(jid)))
    expect(seen.some((s) => s.getChildText('body')?.includes('sent during the shutdown'))).toBe(false)

    // The server kept the message the stopping bot did not take; the next instance answers it, once.
    const next = await startSlowBot()
    await alice.waitFor(body('You said: sent during the shutdown (delayed)'), 10_000)
    await say('and now')
    await alice.waitFor(body('You said: and now'))
    expect(seen.filter((s) => s.getChildText('body')?.includes('sent during the shutdown'))).toHaveLength(1)
    next.bot.kill('SIGTERM')
    expect((await next.bot.exited).code).toBe(0)
  })

  it('a second SIGTERM exits at once, with 70', async () => {
    const { bot } = await startSlowBot()
    await say('slow 30000')
    await bot.waitForLog((l) => l.msg === 'slow handler started')
    bot.kill('SIGTERM')
    await bot.waitForLog((l) => l.msg === 'shutting down')
    // Past the moment in which a second signal is taken for the first one passed on again.
    await sleep(1_500)
    bot.kill('SIGTERM')
    const { code } = await bot.exited
    expect(code).toBe(70)
    // The second signal ended it, not the shutdown deadline.
    expect(bot.output()).toContain('second signal: exiting now')
    expect(bot.output()).not.toContain('shutdown deadline passed')
    expect(alice.inbox.some(body('done after 30000 ms'))).toBe(false)
  })

  it('takes two signals at once, as a process group and its parent pass them on, for one: a clean exit 0', async () => {
    const { bot, jid } = await startSlowBot()
    await say('slow 1000')
    await bot.waitForLog((l) => l.msg === 'slow handler started')
    bot.kill('SIGINT')
    bot.kill('SIGTERM')
    await alice.waitFor(body('done after 1000 ms'), 10_000)
    await alice.waitFor(goneFrom(jid), 10_000)
    expect((await bot.exited).code).toBe(0)
    expect(bot.output()).toContain('already shutting down')
    expect(bot.output()).not.toContain('second signal')
  })

  it('stops waiting for handlers at SHUTDOWN_TIMEOUT, then still goes offline cleanly', async () => {
    const { bot, jid } = await startSlowBot({ SHUTDOWN_TIMEOUT: '1' })
    await say('slow 30000')
    await bot.waitForLog((l) => l.msg === 'slow handler started')
    bot.kill('SIGTERM')
    await alice.waitFor(goneFrom(jid), 15_000)
    const { code } = await bot.exited
    expect(code).toBe(0)
    expect(bot.output()).toContain('abandoning running handlers')
    expect(alice.inbox.some(body('done after 30000 ms'))).toBe(false)
  })
})

describe('shutdown hooks', () => {
  it('run after running handlers and before the bot goes offline', async () => {
    const live = await startLiveBot({ jid: botJid, password: BOT_PASSWORD, service: prosody.service }, (b) => {
      b.onShutdown(async () => {
        await b.say('alice@localhost', 'leaving now')
      })
    })
    const jid = live.bot.jid
    const seen = record()
    await live.bot.stop()
    await alice.waitFor(goneFrom(jid))
    const goodbye = seen.findIndex(body('leaving now'))
    expect(goodbye).toBeGreaterThanOrEqual(0)
    expect(goodbye).toBeLessThan(seen.findIndex(goneFrom(jid)))
  })
})
