// One sender floods the command example with slow commands over a real Prosody. Before the limits, 10,000
// `wait 15` ran 10,000 handlers at once (RSS 62 -> 160 MB) and the flooder got every typing notice. Now the
// bot must stay answering others within 3 s while its memory grows by at most ~40 MB.
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BotProcess, watchMemory } from '../../tools/bot-process.js'
import { type Peer, xml } from '../../tools/peer.js'
import { type CommandBotScene, startCommandBot } from '../support/command-bot.js'

const FLOOD = 5_000
const NS_CHATSTATES = 'http://jabber.org/protocol/chatstates'

let scene: CommandBotScene
let bot: BotProcess
let alice: Peer
let bob: Peer
let botJid: string
/** The bot's full JID on its session. */
let botFull: string

beforeAll(async () => {
  scene = await startCommandBot({ prosody: { muc: false } })
  ;({ bot, alice, bob, botJid, botFull } = scene)
})

afterAll(() => scene?.stop())

/** Sends `body` from `peer` and resolves with the answer's body and how long it took. */
async function ask(peer: Peer, body: string, ms = 15_000): Promise<{ answer: string; ms: number }> {
  const started = performance.now()
  await peer.send(xml('message', { to: botJid, type: 'chat' }, xml('body', {}, body)))
  const reply = await peer.waitFor((s) => s.name === 'message' && s.getChildText('body') !== null, ms)
  return { answer: reply.getChildText('body') ?? '', ms: performance.now() - started }
}

describe('a flood of slow commands from one sender', () => {
  it('keeps the bot answering others while the flood runs, its memory bounded', { timeout: 60_000 }, async () => {
    expect((await ask(bob, 'echo warm-up')).answer).toBe('warm-up')
    const baseline = bot.rssMb()
    const memory = watchMemory(bot, 50)
    try {
      let during: Promise<{ answer: string; ms: number }> | undefined
      for (let i = 0; i < FLOOD; i++) {
        // Bob asks halfway through, while the bot is busy with the flood.
        if (i === FLOOD / 2) during = ask(bob, 'echo still there?')
        await alice.send(xml('message', { to: botJid, type: 'chat', id: `flood-${i}` }, xml('body', {}, 'wait 15')))
      }
      const { answer, ms } = await (during as Promise<{ answer: string; ms: number }>)
      expect(answer).toBe('still there?')
      // Answered while the flood's first handlers still wait their 15 s: not after them.
      expect(alice.inbox.filter((s) => s.getChildText('body') === 'Waited 15 s')).toEqual([])
      // Everything alice sent has reached the bot once its answer to her ping comes back.
      expect((await alice.iq(botFull, 'get', xml('ping', { xmlns: 'urn:xmpp:ping' }), 15_000)).attrs.type).toBe('result')
      await sleep(1_000)
      const peak = memory.stop()
      console.log(`flood of ${FLOOD}: rss ${baseline.toFixed(1)} MB -> peak ${peak.toFixed(1)} MB; other sender answered in ${Math.round(ms)} ms`)
      expect(peak - baseline).toBeLessThan(40)
    } finally {
      memory.stop()
    }
    const typing = alice.inbox.filter((s) => s.getChild('composing', NS_CHATSTATES) !== undefined)
    const notices = alice.inbox.filter((s) => s.getChildText('body') !== null)
    // Typing only for the handlers that ran (4 at once, 8 more in line), and one notice about the rest.
    expect(typing.length).toBeLessThanOrEqual(12)
    expect(notices.map((s) => s.getChildText('body'))).toEqual([expect.stringContaining('skipped some')])
    expect(bot.output()).toContain('dropping stanzas from alice@localhost')
  })
})
