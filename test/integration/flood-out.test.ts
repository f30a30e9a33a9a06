// A bot that sends a lot in a plain loop, over the wire, against servers that throttle what clients send:
// Prosody with mod_limits and ejabberd with its default c2s shaper. Every message must arrive, once and in order,
// the bot must stay connected (ejabberd ends a session whose acks come too late), and its memory must stay flat.
import { afterEach, describe, expect, it } from 'vitest'
import { startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type BotProcess, startBotProcess, watchMemory } from '../../tools/bot-process.js'
import { startEjabberd } from '../../tools/ejabberd.js'
import { connectPeer, type Peer, xml } from '../../tools/peer.js'

const BLAST_BOT = 'dist/test/fixtures/blast-bot.js'
const cleanups: Array<() => Promise<unknown> | undefined> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Asks the bot for `count` messages and collects their bodies until it says it is done. */
async function blast(alice: Peer, bot: string, command: string, count: number, ms: number): Promise<string[]> {
  const bodies: string[] = []
  alice.client.on('stanza', (stanza) => {
    const body = stanza.getChildText('body')
    if (stanza.name === 'message' && stanza.attrs.from?.startsWith(bot) && body && /^\d+$/.test(body)) bodies.push(body)
  })
  await alice.send(xml('message', { to: bot, type: 'chat' }, xml('body', {}, command)))
  await alice.waitFor((s) => s.getChildText('body') === `done ${count}`, ms)
  return bodies
}

const numbers = (count: number): string[] => Array.from({ length: count }, (_, i) => String(i + 1))

function disconnects(bot: BotProcess): string[] {
  return bot
    .output()
    .split('\n')
    .filter((line) => line.includes('"disconnected from the server"') || line.includes('"connection error"'))
}

describe('a bot sending in a loop', () => {
  it('sends 50,000 messages through a Prosody that throttles clients: all of them, once, in order, with flat memory', async () => {
    const prosody = await startProsody({ muc: false, limits: { rate: '2mb/s', burst: '1s' } })
    cleanups.push(() => prosody.stop())
    await prosody.register('blaster', 'blaster-pw')
    await prosody.register('alice', 'alice-pw')
    const bot = startBotProcess(BLAST_BOT, { JID: 'blaster@localhost', JPASSWORD: 'blaster-pw', XMPP_SERVICE: prosody.service })
    cleanups.push(() => {
      bot.kill('SIGKILL')
      return bot.exited
    })
    await bot.waitForLog((l) => l.msg === 'online')
    const alice = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
    cleanups.push(() => alice.close())
    const before = bot.rssMb()
    const memory = watchMemory(bot)
    const bodies = await blast(alice, 'blaster@localhost', 'blast 50000', 50_000, 240_000)
    const peak = memory.stop()
    console.log(`RSS growth while sending 50,000: ${(peak - before).toFixed(1)} MB`)
    expect(bodies).toEqual(numbers(50_000))
    expect(disconnects(bot)).toEqual([])
    // Unthrottled, what the server has not read yet piles up in the bot twice over: in the socket and in the
    // queue of what stream management may have to resend.
    expect(peak - before).toBeLessThan(40)
  })

  it('at ejabberd’s default c2s shaper (3,000 bytes a second) stays connected, its acks never stuck behind the flood', async () => {
    // ejabberd's 60 s ack timeout, scaled down with the flood: 600 messages, not the 2,000 that its 60 s would take to
    // end a session whose acks wait behind all of them (as they did: about 10 s behind here).
    const ejabberd = await startEjabberd({ scramHash: 'sha1', shaper: { rate: 3_000, burstSize: 20_000 }, ackTimeout: 6 })
    cleanups.push(() => ejabberd.stop())
    await ejabberd.register('blaster', 'blaster-pw')
    await ejabberd.register('alice', 'alice-pw')
    await ejabberd.register('bob', 'bob-pw')
    const bot = startBotProcess(BLAST_BOT, { JID: 'blaster@localhost', JPASSWORD: 'blaster-pw', XMPP_SERVICE: ejabberd.service })
    cleanups.push(() => {
      bot.kill('SIGKILL')
      return bot.exited
    })
    await bot.waitForLog((l) => l.msg === 'online')
    const alice = await connectPeer({ service: ejabberd.service, jid: 'alice@localhost', password: 'alice-pw' })
    cleanups.push(() => alice.close())
    const bob = await connectPeer({ service: ejabberd.service, jid: 'bob@localhost', password: 'bob-pw' })
    cleanups.push(() => bob.close())
    // Bob keeps talking to the bot meanwhile, so ejabberd keeps asking the bot for acks.
    const chatter = setInterval(() => {
      bob.send(xml('message', { to: 'blaster@localhost', type: 'chat' }, xml('body', {}, 'hi'))).catch(() => {})
    }, 500)
    try {
      const bodies = await blast(alice, 'blaster@localhost', 'blast 600', 600, 120_000)
      expect(bodies).toEqual(numbers(600))
    } finally {
      clearInterval(chatter)
    }
    expect(disconnects(bot)).toEqual([])
  })
})
