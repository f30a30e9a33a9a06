// A server that requires STARTTLS with a certificate the bot's trust store does not know: the bot stops
// with one clear line instead of retrying forever, and connects once told to trust it.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { startBotProcess } from '../../tools/bot-process.js'

const ECHO = 'dist/examples/echo.js'
const PASSWORD = 'pw-Tls-2468'

let prosody: Prosody
let botJid: string
let certificate: string

beforeAll(async () => {
  prosody = await startProsody({ tls: true, muc: false })
  botJid = await prosody.register('tlsbot', PASSWORD)
  certificate = join(prosody.dataDir, 'certs', 'localhost.crt')
})

afterAll(async () => {
  await prosody?.stop()
})

describe('a server whose certificate is not trusted', () => {
  it('exits 76 with one line naming the account and NODE_EXTRA_CA_CERTS, without retrying', async () => {
    const bot = startBotProcess(ECHO, { JID: botJid, JPASSWORD: PASSWORD, XMPP_SERVICE: prosody.service })
    const { code } = await bot.exited
    expect(code).toBe(76)
    const fatal = bot
      .output()
      .split('\n')
      .filter((l) => l.includes('"level":60'))
    expect(fatal).toHaveLength(1)
    expect(fatal[0]).toContain(botJid)
    expect(fatal[0]).toContain('NODE_EXTRA_CA_CERTS')
    expect(bot.output()).not.toContain('retrying')
    expect(bot.output()).not.toContain(PASSWORD)
  })

  it('upgrades the stream with STARTTLS and logs in once the certificate is trusted', async () => {
    const env = { JID: botJid, JPASSWORD: PASSWORD, XMPP_SERVICE: prosody.service, NODE_EXTRA_CA_CERTS: certificate }
    const bot = startBotProcess(ECHO, env, ['-D'])
    try {
      await bot.waitForLog((l) => l.msg === 'xmpp in' && String(l.xml).startsWith('<proceed xmlns="urn:ietf:params:xml:ns:xmpp-tls"'))
      // Prosody 0.12 offers SCRAM-SHA-256, SCRAM-SHA-1 and PLAIN over TLS 1.3, no -PLUS.
      const login = await bot.waitForLog((l) => l.msg === 'logging in')
      expect(login).toMatchObject({ mechanism: 'SCRAM-SHA-256', protection: 'tls' })
      await bot.waitForLog((l) => l.msg === 'online')
      expect(bot.output()).not.toContain(PASSWORD)
    } finally {
      bot.kill('SIGTERM')
      await bot.exited
    }
  })
})
