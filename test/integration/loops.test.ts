// Two bots talking to each other over a real Prosody, as two worker processes: two echo bots, and two command
// bots that would hint each other about unknown commands. Without damping they answered each other forever
// (about 3,300 messages each in 20 s, and 1,300 hints a second); with damping alone, the echo bots still
// exchanged 1,051 in 20 s, each side's burst of 500 spent before damping began. Strangers to each other,
// they now have a stranger's burst (100) and rate (4 a second): at most 400 messages in 20 s, then a trickle.
// Counted, not timed: a slower machine only sends fewer.

import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type BotProcess, startBotProcess } from '../../tools/bot-process.js'

const LOOP_BOT = 'dist/test/fixtures/loop-bot.js'
/** How long the pairs are watched, from the moment each conversation opens. */
const WATCH_MS = 20_000

let prosody: Prosody
const bots: BotProcess[] = []

beforeAll(async () => {
  prosody = await startProsody({ muc: false })
})

afterAll(async () => {
  for (const bot of bots) bot.kill('SIGKILL')
  await prosody?.stop()
})

/** Starts a pair of bots of one kind; the second opens the conversation once online. */
async function startPair(kind: 'echo' | 'commands', opener: string): Promise<[BotProcess, BotProcess]> {
  const [a, b] = [`${kind}-a`, `${kind}-b`]
  const [jidA, jidB] = await Promise.all([prosody.register(a, `${a}-pw`), prosody.register(b, `${b}-pw`)])
  const env = (jid: string, password: string) => ({ KIND: kind, JID: jid, JPASSWORD: password, XMPP_SERVICE: prosody.service })
  const first = startBotProcess(LOOP_BOT, env(jidA, `${a}-pw`), ['-D'])
  bots.push(first)
  await first.waitForLog((l) => l.msg === 'online')
  const second = startBotProcess(LOOP_BOT, { ...env(jidB, `${b}-pw`), PARTNER: jidA, OPENER: opener }, ['-D'])
  bots.push(second)
  await second.waitForLog((l) => l.msg === 'online')
  return [first, second]
}

/** The times (ms since the epoch) at which a bot sent a message with a body. */
function sentMessages(bot: BotProcess): number[] {
  return (bot.logs() as Array<{ msg?: string; xml?: string; time?: number }>)
    .filter((l) => l.msg === 'xmpp out' && l.xml?.startsWith('<message') === true && l.xml.includes('<body>'))
    .map((l) => l.time ?? 0)
}

describe('two bots talking to each other', () => {
  it('settle by themselves: echo bots and command bots, over the wire', { timeout: 90_000 }, async () => {
    const [echoes, commands] = await Promise.all([startPair('echo', 'hello'), startPair('commands', 'frobnicate')])
    const opened = Date.now()
    await sleep(WATCH_MS)
    const settledFrom = opened + WATCH_MS / 2
    const report = (name: string, bot: BotProcess) => {
      const times = sentMessages(bot)
      return { name, total: times.length, late: times.filter((t) => t >= settledFrom).length }
    }
    const counts = [report('echo-a', echoes[0]), report('echo-b', echoes[1]), report('commands-a', commands[0]), report('commands-b', commands[1])]
    console.log(`messages sent in ${WATCH_MS / 1000} s (late: in its second half):`, JSON.stringify(counts))
    const [echoA, echoB, commandsA, commandsB] = counts as [(typeof counts)[0], (typeof counts)[0], (typeof counts)[0], (typeof counts)[0]]
    // The conversations did start: each echo bot answered the other at least once.
    expect(echoA.total).toBeGreaterThan(1)
    expect(echoB.total).toBeGreaterThan(1)
    expect(commandsA.total).toBeGreaterThanOrEqual(1)
    // A stranger's burst and rate, then silence: at most 400 messages both ways in 20 s (was 1,051).
    expect(echoA.total + echoB.total).toBeLessThanOrEqual(400)
    for (const bot of [echoA, echoB]) {
      // In the second 10 s, no more than a stranger's refill rate (4 a second) lets through, and a notice.
      expect(bot.late).toBeLessThanOrEqual(41)
    }
    // One hint each way, and no more (was ~1,300 a second).
    for (const bot of [commandsA, commandsB]) {
      expect(bot.total).toBeLessThanOrEqual(3)
      expect(bot.late).toBe(0)
    }
  })
})
