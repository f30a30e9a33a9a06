// Stranger accounts flood the command example together over a real Prosody while alice, an admin, asks
// for the time: a reduced form of tools/stranger-flood.ts. Before fair scheduling, 17 strangers x 300
// `wait 15` filled every handler slot and the whole line, and alice waited minutes. Now the strangers
// fill only their own share of the slots and alice is answered while their commands still wait.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import type { BotProcess } from '../../tools/bot-process.js'
import { connectPeer, type Peer } from '../../tools/peer.js'
import { askTime, flood, startFloodedBot, strangers } from '../../tools/stranger-flood.js'

/** Enough strangers that, at 4 handlers each, they take every slot strangers may have (48 of 64). */
const STRANGERS = 13
const COMMANDS = 150

let prosody: Prosody
let bot: BotProcess
let botJid: string
let alice: Peer
let crowd: Peer[] = []

beforeAll(async () => {
  prosody = await startProsody({ muc: false })
  botJid = await prosody.register('cmdbot', 'cmd-pw')
  await prosody.register('alice', 'alice-pw')
  bot = startFloodedBot(prosody, botJid, 256)
  await bot.waitForLog((l) => l.msg === 'online')
  alice = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
  crowd = await strangers(prosody, 'stranger', STRANGERS)
}, 60_000)

afterAll(async () => {
  bot?.kill('SIGKILL')
  await Promise.all([alice, ...crowd].map((peer) => peer?.close()))
  await prosody?.stop()
})

describe('a crowd of strangers flooding slow commands', () => {
  it('keeps a contact answered while their commands still wait, and the bot alive', { timeout: 90_000 }, async () => {
    await flood(botJid, { strangers: crowd, commands: COMMANDS, padding: 0 })
    // Sent after the strangers' commands, though the server may pass some of theirs on after it.
    await askTime(alice, botJid, 30_000)
    // Answered before any stranger's first command, which takes 15 s, is done.
    const done = crowd.flatMap((peer) => peer.inbox.filter((s) => s.getChildText('body') === 'Waited 15 s'))
    expect(done).toEqual([])
    // The strangers did take every slot they may have, and were cut at their burst (100 of 150 each), as their last
    // commands came in.
    await bot.waitForLog((l) => String(l.msg).startsWith('dropping stanzas from stranger'), 10_000)
    const exited = await Promise.race([bot.exited, new Promise((resolve) => setTimeout(() => resolve('running'), 500))])
    expect(exited).toBe('running')
  })
})
