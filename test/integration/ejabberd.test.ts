// An ejabberd that keeps passwords only as SCRAM-SHA-256 credentials offers SCRAM-SHA-256 and PLAIN, never
// SCRAM-SHA-1: natter must log in with SCRAM-SHA-256, without TLS on loopback and over STARTTLS, and never fall
// back to PLAIN.

import type { Bot } from 'natter'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BotProcess, startBotProcess } from '../../tools/bot-process.js'
import { type Ejabberd, startEjabberd } from '../../tools/ejabberd.js'
import { type LiveBot, startLiveBot } from '../support/live-bot.js'

const ECHO = 'dist/examples/echo.js'
const BOT_PASSWORD = 'pw-Ejabberd-8642'

let ejabberd: Ejabberd
let botJid: string
let alice: LiveBot
const inbox: string[] = []
const running: BotProcess[] = []

beforeAll(async () => {
  ejabberd = await startEjabberd({ tls: true })
  botJid = await ejabberd.register('echo', BOT_PASSWORD)
  await ejabberd.register('alice', 'alice-pw')
  // The other side is a natter bot too: xmpp.js alone cannot log in to this server without TLS.
  alice = await startLiveBot({ jid: 'alice@localhost', password: 'alice-pw', service: ejabberd.service }, (bot: Bot) => {
    bot.message({ type: 'chat', body: true }, (message) => {
      inbox.push(message.body)
    })
  })
}, 60_000)

afterAll(async () => {
  for (const bot of running) bot.kill('SIGKILL')
  await alice?.bot.stop(100)
  await ejabberd?.stop()
})

function start(env: Record<string, string>): BotProcess {
  const bot = startBotProcess(ECHO, { JID: botJid, JPASSWORD: BOT_PASSWORD, ...env }, ['-D'])
  running.push(bot)
  return bot
}

/** Says `text` to the bot's session (its bare JID would race the bot's first presence) and waits for the echo. */
async function echoes(online: Record<string, unknown>, text: string): Promise<void> {
  await alice.bot.say(String(online.jid), text)
  const deadline = Date.now() + 10_000
  while (!inbox.includes(`You said: ${text}`)) {
    if (Date.now() > deadline) throw new Error(`no echo of "${text}"; inbox: ${inbox.join(' | ')}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('an ejabberd with SCRAM-SHA-256 credentials', () => {
  it('logs natter in with SCRAM-SHA-256 without TLS on loopback, and the bot echoes', async () => {
    const bot = start({ XMPP_SERVICE: ejabberd.service })
    try {
      const login = await bot.waitForLog((l) => l.msg === 'logging in')
      expect(login).toMatchObject({ mechanism: 'SCRAM-SHA-256', protection: 'loopback' })
      const online = await bot.waitForLog((l) => l.msg === 'online')
      await echoes(online, 'hello over loopback')
      expect(bot.output()).not.toContain(BOT_PASSWORD)
    } finally {
      bot.kill('SIGTERM')
      await bot.exited
    }
  })

  it('over STARTTLS binds with -PLUS, which ejabberd 23.01 refuses: exit 77 naming XMPP_CHANNEL_BINDING=0, no PLAIN', async () => {
    // ejabberd 23.01 offers SCRAM-SHA-256-PLUS but binds only with tls-unique, and does not say so (XEP-0440).
    const bot = start({ XMPP_SERVICE: ejabberd.tlsService as string, NODE_EXTRA_CA_CERTS: ejabberd.certificate as string })
    const login = await bot.waitForLog((l) => l.msg === 'logging in')
    expect(login).toMatchObject({ mechanism: 'SCRAM-SHA-256-PLUS', channelBinding: 'tls-exporter', protection: 'tls' })
    const { code } = await bot.exited
    expect(code).toBe(77)
    expect(bot.output()).toContain('XMPP_CHANNEL_BINDING=0')
    expect(bot.output()).not.toContain(BOT_PASSWORD)
  })

  it('with XMPP_CHANNEL_BINDING=0 logs natter in with SCRAM-SHA-256 over STARTTLS, not PLAIN, and the bot echoes', async () => {
    const bot = start({ XMPP_SERVICE: ejabberd.tlsService as string, NODE_EXTRA_CA_CERTS: ejabberd.certificate as string, XMPP_CHANNEL_BINDING: '0' })
    try {
      const login = await bot.waitForLog((l) => l.msg === 'logging in')
      expect(login).toMatchObject({ mechanism: 'SCRAM-SHA-256', protection: 'tls' })
      const online = await bot.waitForLog((l) => l.msg === 'online')
      await echoes(online, 'hello over TLS')
      expect(bot.output()).not.toContain(BOT_PASSWORD)
    } finally {
      bot.kill('SIGTERM')
      await bot.exited
    }
  })

  it('refuses a wrong password: exit 77 after one attempt', async () => {
    const bot = start({ XMPP_SERVICE: ejabberd.service, JPASSWORD: 'Not-The-Password-77' })
    const { code } = await bot.exited
    expect(code).toBe(77)
    const fatal = bot
      .output()
      .split('\n')
      .filter((l) => l.includes('"level":60'))
    expect(fatal).toHaveLength(1)
    expect(fatal[0]).toContain('not-authorized')
    expect(bot.output()).not.toContain('Not-The-Password-77')
  })
})
