// Conditions that retrying cannot fix must end the bot, once, with a clear line and exit code, never loop: a wrong
// password, a second process on the same resource, a server gone for longer than the policy allows.

import { createBot, FatalError } from 'natter'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type BotProcess, startBotProcess } from '../../tools/bot-process.js'
import { connectPeer, type Peer, xml } from '../../tools/peer.js'
import { closedPort } from '../support/closed-port.js'
import { startLiveBot } from '../support/live-bot.js'

const ECHO = 'dist/examples/echo.js'
const SLOW_BOT = 'dist/test/fixtures/slow-bot.js'
const BOT_PASSWORD = 'pw-Fatal-4242'

let prosody: Prosody
let alice: Peer
let botJid: string
const running: BotProcess[] = []

beforeAll(async () => {
  prosody = await startProsody({ muc: false })
  botJid = await prosody.register('lonely', BOT_PASSWORD)
  await prosody.register('alice', 'alice-pw')
  alice = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
})

afterAll(async () => {
  for (const bot of running) bot.kill('SIGKILL')
  await alice?.close()
  await prosody?.stop()
})

function start(script: string, env: Record<string, string>): BotProcess {
  const bot = startBotProcess(script, { JID: botJid, JPASSWORD: BOT_PASSWORD, XMPP_SERVICE: prosody.service, ...env })
  running.push(bot)
  return bot
}

describe('a wrong password', () => {
  it('is not retried: the process exits 77 after one attempt, with one fatal line that names the JID only', async () => {
    const wrong = 'Not-The-Password-77'
    const bot = start(ECHO, { JPASSWORD: wrong })
    const { code } = await bot.exited
    expect(code).toBe(77)
    const log = bot.logs()
    expect(log.filter((l) => l.msg === 'connecting')).toHaveLength(1)
    expect(log.filter((l) => l.attempt !== undefined)).toEqual([])
    const fatal = log.filter((l) => l.level === 60)
    expect(fatal).toHaveLength(1)
    expect(String(fatal[0]?.msg)).toContain(botJid)
    expect(bot.output()).not.toContain(wrong)
  })

  it('rejects start() with a FatalError in code, and emits no reconnecting', async () => {
    const bot = createBot({ env: {}, jid: botJid, password: 'wrong', service: prosody.service, logLevel: 'silent' })
    let reconnecting = 0
    bot.on('reconnecting', () => reconnecting++)
    await expect(bot.start()).rejects.toMatchObject({ name: 'FatalError', reason: 'auth' })
    expect(reconnecting).toBe(0)
  })
})

describe('two processes on one resource', () => {
  it('do not kick each other out forever: the one taken over exits 75, the newcomer stays and answers', async () => {
    const env = { XMPP_RESOURCE: 'worker.1' }
    const first = start(ECHO, env)
    await first.waitForLog((l) => l.msg === 'online')
    const second = start(ECHO, env)
    await second.waitForLog((l) => l.msg === 'online')

    const { code } = await first.exited
    expect(code).toBe(75)
    const fatal = first.logs().filter((l) => l.level === 60)
    expect(fatal).toHaveLength(1)
    expect(String(fatal[0]?.msg)).toMatch(/conflict/)
    expect(first.logs().filter((l) => l.attempt !== undefined)).toEqual([])

    // The survivor is left alone, and answers from the shared resource.
    await alice.send(xml('message', { to: `${botJid}/worker.1`, type: 'chat' }, xml('body', {}, 'who is there?')))
    const reply = await alice.waitFor((s) => s.is('message') && s.getChildText('body') === 'You said: who is there?')
    expect(reply.attrs.from).toBe(`${botJid}/worker.1`)
    expect(second.child.exitCode).toBeNull()
    expect(second.logs().filter((l) => l.msg === 'disconnected from the server')).toEqual([])
    second.kill('SIGTERM')
    expect((await second.exited).code).toBe(0)
  })
})

describe('giving up', () => {
  it('after reconnect.giveUpAfter without a server, the process exits 69', async () => {
    const bot = start(SLOW_BOT, { XMPP_SERVICE: `xmpp://127.0.0.1:${await closedPort()}`, GIVE_UP_AFTER_MS: '1500' })
    const { code } = await bot.exited
    expect(code).toBe(69)
    expect(bot.logs().filter((l) => typeof l.attempt === 'number').length).toBeGreaterThanOrEqual(2)
    expect(bot.logs().filter((l) => l.level === 60)).toHaveLength(1)
  })

  it('also once a running bot has lost its server for that long', async () => {
    const other = await startProsody({ muc: false })
    try {
      const jid = await other.register('bot', BOT_PASSWORD)
      const live = await startLiveBot({
        jid,
        password: BOT_PASSWORD,
        service: other.service,
        reconnect: { initialDelay: 100, maxDelay: 300, giveUpAfter: 1_500 },
      })
      const from = live.events.length
      await other.kill()
      const failed = await live.waitEvent('error', from)
      expect(failed.info).toBeInstanceOf(FatalError)
      expect((failed.info as FatalError).reason).toBe('unreachable')
      expect(live.count('reconnecting', from)).toBeGreaterThanOrEqual(2)
      await live.bot.stop(100)
    } finally {
      await other.stop()
    }
  })
})
