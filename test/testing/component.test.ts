import { ConfigError, createBot, xml } from 'natter'
import { testKit } from 'natter/testing'
import { describe, expect, it } from 'vitest'

function echoBot(options: Parameters<typeof createBot>[0] = {}) {
  const bot = createBot(options)
  bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`${msg.to} heard: ${msg.body}`))
  return bot
}

describe('a component in the test kit (a JID without a local part)', () => {
  it('takes messages to any address of its domain, and answers from the address written to', async () => {
    const kit = await testKit(echoBot(), { jid: 'svc.example.org' })
    const alice = kit.contact('alice@example.org')
    const echo = await alice.say('hi', { to: 'echo@svc.example.org' })
    expect(echo).toEqual(['echo@svc.example.org heard: hi'])
    expect(echo.senders).toEqual(['echo@svc.example.org'])
    const anyone = await alice.say('yo', { to: 'anyone@svc.example.org' })
    expect(anyone.senders).toEqual(['anyone@svc.example.org'])
    expect(await alice.say('plain')).toEqual(['svc.example.org heard: plain'])
  })

  it('sends no presence of its own and asks for no roster', async () => {
    const kit = await testKit(echoBot(), { jid: 'svc.example.org' })
    expect(kit.sent.filter((s) => s.name === 'presence' || s.getChild('query', 'jabber:iq:roster'))).toEqual([])
  })

  it('answers disco#info at any of its addresses', async () => {
    const kit = await testKit(echoBot(), { jid: 'svc.example.org' })
    const reply = await kit.iq('alice@example.org/test', 'get', xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }))
    expect(reply.attrs.type).toBe('result')
  })

  it('leaves a client as it was: its replies carry no from, the server adds it', async () => {
    const kit = await testKit(echoBot())
    expect((await kit.contact('alice@example.org').say('hi')).senders).toEqual([''])
  })
})

describe('a component started for real', () => {
  const env = { JID: 'svc.example.org', JPASSWORD: 'secret', XMPP_SERVICE: 'xmpp://127.0.0.1:1' }

  it('refuses a formation asked for by name', async () => {
    const bot = echoBot({ env: { ...env, XMPP_FORMATION: 'on' }, logLevel: 'silent' })
    await expect(bot.start()).rejects.toThrow(ConfigError)
    await expect(echoBot({ env: { ...env, XMPP_FORMATION: 'on' }, logLevel: 'silent' }).start()).rejects.toThrow(/XMPP_FORMATION: a component/)
  })

  it('refuses the xmpp store asked for by name: a component has no private XML storage', async () => {
    await expect(echoBot({ env: { ...env, STORE_BACKEND: 'xmpp' }, logLevel: 'silent' }).start()).rejects.toThrow(/STORE_BACKEND: a component/)
  })
})
