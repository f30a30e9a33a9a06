// The echo example as an external component (XEP-0114) of a real Prosody: every address of its domain is the
// bot's, each reply comes from the address written to; a wrong secret and SIGTERM end it as for a client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type BotProcess, startBotProcess } from '../../tools/bot-process.js'
import { connectPeer, type Peer, xml } from '../../tools/peer.js'
import { runNatter } from '../support/natter-cli.js'

const ECHO = 'dist/examples/echo.js'
const DOMAIN = 'svc.localhost'
const SECRET = 'component-Secret-9917'

let prosody: Prosody
let peer: Peer
let service: string

beforeAll(async () => {
  prosody = await startProsody({ muc: false, component: { domain: DOMAIN, secret: SECRET } })
  service = prosody.componentService ?? ''
  await prosody.register('alice', 'alice-pw')
  peer = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
})

afterAll(async () => {
  await peer?.close()
  await prosody?.stop()
})

describe('the echo example as a component', () => {
  let bot: BotProcess

  beforeAll(async () => {
    bot = startBotProcess(ECHO, { JID: DOMAIN, JPASSWORD: SECRET, XMPP_SERVICE: service }, ['-D'])
    await bot.waitForLog((l) => l.msg === 'online')
  })

  afterAll(() => bot?.kill('SIGKILL'))

  it.each(['echo', 'anyone'])('answers a chat sent to %s@svc.localhost, from that address', async (local) => {
    const to = `${local}@${DOMAIN}`
    await peer.send(xml('message', { to, type: 'chat' }, xml('body', {}, `hello ${local}`)))
    const reply = await peer.waitFor((s) => s.name === 'message' && s.getChildText('body') === `You said: hello ${local}`)
    expect(reply.attrs.from).toBe(to)
    expect(reply.attrs.type).toBe('chat')
  })

  it('answers a ping and a version query, from the address asked', async () => {
    const pong = await peer.iq(`someone@${DOMAIN}`, 'get', xml('ping', { xmlns: 'urn:xmpp:ping' }))
    expect(pong.attrs.type).toBe('result')
    expect(pong.attrs.from).toBe(`someone@${DOMAIN}`)
    const version = await peer.iq(DOMAIN, 'get', xml('query', { xmlns: 'jabber:iq:version' }))
    expect(version.getChild('query')?.getChildText('name')).toBe('natter')
  })

  it('says at start that a component has no roster and no private storage', () => {
    const lines = bot.logs().map((l) => l.msg)
    expect(lines).toContain("a component has no roster: bot.roster stays empty and subscriptions are the handlers' to answer")
    expect(lines.some((m) => String(m).startsWith('a component has no private XML storage'))).toBe(true)
  })

  it('never logs the secret, -D included', () => {
    expect(bot.output()).toContain('<handshake>hidden</handshake>')
    expect(bot.output()).not.toContain(SECRET)
  })

  it('refuses a second process for the same domain with one line, and the first keeps serving', async () => {
    const second = startBotProcess(ECHO, { JID: DOMAIN, JPASSWORD: SECRET, XMPP_SERVICE: service })
    expect((await second.exited).code).not.toBe(0)
    const fatal = second
      .output()
      .split('\n')
      .filter((l) => l.includes('"level":60'))
    expect(fatal).toEqual([expect.stringContaining('another connection serves this component domain')])
    await peer.send(xml('message', { to: `still@${DOMAIN}`, type: 'chat' }, xml('body', {}, 'still there?')))
    const reply = await peer.waitFor((s) => s.name === 'message' && s.getChildText('body') === 'You said: still there?')
    expect(reply.attrs.from).toBe(`still@${DOMAIN}`)
  })

  it('comes back after the server is killed and restarted, with backoff, and answers again', async () => {
    await peer.close()
    await prosody.kill()
    await bot.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('reconnecting in'))
    await prosody.restart()
    await bot.waitForLog((l) => l.msg === 'online' && bot.logs().filter((o) => o.msg === 'online').length === 2, 30_000)
    peer = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
    await peer.send(xml('message', { to: `back@${DOMAIN}`, type: 'chat' }, xml('body', {}, 'again')))
    const reply = await peer.waitFor((s) => s.name === 'message' && s.getChildText('body') === 'You said: again')
    expect(reply.attrs.from).toBe(`back@${DOMAIN}`)
  })

  it('exits 0 on SIGTERM', async () => {
    bot.kill('SIGTERM')
    expect((await bot.exited).code).toBe(0)
  })
})

describe('a wrong secret', () => {
  it('exits 77 with one line naming the domain, never the secret', async () => {
    const wrong = 'Wrong-Secret-4242'
    const bot = startBotProcess(ECHO, { JID: DOMAIN, JPASSWORD: wrong, XMPP_SERVICE: service }, ['-D'])
    expect((await bot.exited).code).toBe(77)
    expect(bot.output()).not.toContain('reconnecting')
    const fatal = bot
      .output()
      .split('\n')
      .filter((l) => l.includes('"level":60'))
    expect(fatal).toHaveLength(1)
    expect(fatal[0]).toContain(DOMAIN)
    expect(bot.output()).not.toContain(wrong)
  })
})

describe('natter check as a component', () => {
  it('logs in, says it is a component, and shows the server it serves', async () => {
    const run = await runNatter(['check'], { JID: DOMAIN, JPASSWORD: SECRET, XMPP_SERVICE: service })
    expect(run.code, run.stderr).toBe(0)
    const lines = Object.fromEntries(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, 19).trim(), l.slice(19)]),
    )
    expect(lines).toMatchObject({
      server: expect.stringMatching(/^localhost, Prosody \d/),
      'connected via': service,
      'signed in as': `${DOMAIN} (a component, XEP-0114)`,
      'stream management': 'no',
      roster: 'none for a component',
      ping: expect.stringMatching(/^\d+\.\d ms$/),
    })
    expect(run.stdout + run.stderr).not.toContain(SECRET)
  })
})
