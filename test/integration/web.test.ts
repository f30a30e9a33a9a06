// The web side as Heroku runs a web process: the built notify example with PORT, against a private Prosody,
// driven with real HTTP requests (Node's fetch) and read back from a real recipient's client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { signBody } from '../../src/index.js'
import { type BotProcess, startBotProcess } from '../../tools/bot-process.js'
import { connectPeer, joinRoom, type Peer, xml } from '../../tools/peer.js'
import { startProxy, type TcpProxy } from '../../tools/proxy.js'
import { closedPort } from '../support/closed-port.js'

const NOTIFY = 'dist/examples/notify.js'
const SECRET = 'hook-Secret-4711'
const ROOM = 'ops@conference.localhost'

/** Starts a bot process with PORT=0 and resolves with it and its URL, from its log. */
async function startWeb(script: string, env: Record<string, string>): Promise<{ bot: BotProcess; url: string }> {
  const bot = startBotProcess(script, { PORT: '0', HTTP_HOST: '127.0.0.1', WEBHOOK_SECRET: SECRET, ...env })
  const { url } = await bot.waitForLog((l) => l.msg === 'http: listening')
  return { bot, url: String(url).replace('localhost', '127.0.0.1') }
}

function notify(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload)
  return fetch(`${url}/notify`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(SECRET, body), ...headers },
  })
}

const bodyOf = (peer: Peer, from: string) =>
  peer.waitFor((s) => s.name === 'message' && s.attrs.from?.startsWith(from) === true && s.getChild('body') !== undefined, 10_000)

/** Resolves once /healthz answers `status`; rejects after `ms`. */
async function healthTurns(url: string, status: number, ms: number): Promise<void> {
  const end = Date.now() + ms
  while ((await fetch(`${url}/healthz`)).status !== status) {
    if (Date.now() > end) throw new Error(`/healthz not ${status} within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('with its XMPP server unreachable', () => {
  it('binds PORT at once, answers /healthz 503, and exits 0 on SIGTERM', async () => {
    const { bot, url } = await startWeb(NOTIFY, { JID: 'bot@localhost', JPASSWORD: 'pw', XMPP_SERVICE: `xmpp://127.0.0.1:${await closedPort()}` })
    const health = await fetch(`${url}/healthz`)
    expect(health.status).toBe(503)
    expect(await health.json()).toMatchObject({ status: 'unavailable', online: false })
    // Bound before the login was tried at all.
    const lines = bot.logs().map((l) => l.msg)
    expect(lines.indexOf('http: listening')).toBeLessThan(lines.indexOf('connecting'))
    bot.kill('SIGTERM')
    expect((await bot.exited).code).toBe(0)
  })
})

describe('online, beside a recipient', () => {
  let prosody: Prosody
  let bot: BotProcess
  let url: string
  let botJid: string
  let alice: Peer
  let proxy: TcpProxy

  beforeAll(async () => {
    prosody = await startProsody()
    proxy = await startProxy({ host: prosody.host, port: prosody.port })
    botJid = await prosody.register('notifier', 'notify-pw')
    await prosody.register('alice', 'alice-pw')
    alice = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
    await alice.sendPresence()
    await joinRoom(alice, ROOM, 'alice')
    ;({ bot, url } = await startWeb(NOTIFY, { JID: botJid, JPASSWORD: 'notify-pw', XMPP_SERVICE: proxy.service, XMPP_ROOMS: `${ROOM}/notifier` }))
    await bot.waitForLog((l) => l.msg === 'joined room')
    await healthTurns(url, 200, 10_000)
  })

  afterAll(async () => {
    bot?.kill('SIGKILL')
    await alice?.close()
    await proxy?.close()
    await prosody?.stop()
  })

  it('delivers a signed notification exactly once, to a JID and to a room', async () => {
    expect((await notify(url, { to: 'alice@localhost', text: 'deploy 1 done' })).status).toBe(202)
    expect((await bodyOf(alice, botJid)).getChildText('body')).toBe('deploy 1 done')
    expect((await notify(url, { to: ROOM, text: 'build green' })).status).toBe(202)
    expect((await bodyOf(alice, ROOM)).getChildText('body')).toBe('build green')
    // Had the first gone out twice, the copy would come before this one.
    expect((await notify(url, { to: 'alice@localhost', text: 'deploy 2 done' })).status).toBe(202)
    expect((await bodyOf(alice, botJid)).getChildText('body')).toBe('deploy 2 done')
  })

  it('refuses unsigned, wrongly signed, 2 MiB and broken requests, sending nothing', async () => {
    const body = JSON.stringify({ to: 'alice@localhost', text: 'forged' })
    const unsigned = await fetch(`${url}/notify`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
    const wrong = await notify(url, body, { 'x-hub-signature-256': signBody('guessed', body) })
    const huge = await notify(url, { to: 'alice@localhost', text: 'x'.repeat(2 * 1024 * 1024) })
    const broken = await notify(url, '{"to": "alice@localhost", "text": ')
    expect([unsigned.status, wrong.status, huge.status, broken.status]).toEqual([401, 401, 413, 400])
    const refusals = bot.logs().filter((l) => l.msg === 'http: request refused')
    expect(refusals.map((l) => l.status)).toEqual([401, 401, 413, 400])
    expect(bot.output()).not.toContain(SECRET)
    expect((await notify(url, { to: 'alice@localhost', text: 'after the refusals' })).status).toBe(202)
    expect((await bodyOf(alice, botJid)).getChildText('body')).toBe('after the refusals')
  })

  it('shows its work in /metrics', async () => {
    const text = await (await fetch(`${url}/metrics`)).text()
    expect(text).toMatch(/^natter_stanzas_total\{direction="out",kind="message"\} [1-9]/m)
    expect(text).toMatch(/^natter_http_requests_total\{route="\/notify",status="202"\} [1-9]/m)
    expect(text).toMatch(/^natter_sessions_total\{resumed="false"\} 1$/m)
    expect(text).toMatch(/^natter_formation_members 1$/m)
  })

  it('turns /healthz 503 when the link goes, keeps what it was given meanwhile, and delivers it once on the resumed session', async () => {
    proxy.refuse()
    proxy.reset()
    await healthTurns(url, 503, 20_000)
    expect((await notify(url, { to: 'alice@localhost', text: 'while the link was down' })).status).toBe(202)
    proxy.heal()
    await bot.waitForLog((l) => l.msg === 'session resumed', 20_000)
    expect((await bodyOf(alice, botJid)).getChildText('body')).toBe('while the link was down')
    await notify(url, { to: 'alice@localhost', text: 'marker' })
    expect((await bodyOf(alice, botJid)).getChildText('body')).toBe('marker')
    await healthTurns(url, 200, 20_000)
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^natter_sessions_total\{resumed="true"\} 1$/m)
  })
})

describe('SIGTERM', () => {
  let prosody: Prosody

  beforeAll(async () => {
    prosody = await startProsody({ muc: false })
  })

  afterAll(async () => {
    await prosody?.stop()
  })

  it('lets a request in flight finish and send, answers 503 to new ones, then exits 0', async () => {
    const botJid = await prosody.register('slowweb', 'slow-pw')
    await prosody.register('bob', 'bob-pw')
    const bob = await connectPeer({ service: prosody.service, jid: 'bob@localhost', password: 'bob-pw' })
    await bob.sendPresence()
    const { bot, url } = await startWeb('dist/test/fixtures/web-bot.js', { JID: botJid, JPASSWORD: 'slow-pw', XMPP_SERVICE: prosody.service })
    await bot.waitForLog((l) => l.msg === 'online')
    const body = JSON.stringify({ to: 'bob@localhost', text: 'finished in time', ms: 1_500 })
    const slow = fetch(`${url}/slow`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(SECRET, body) } })
    await bot.waitForLog((l) => l.msg === 'slow request started')
    bot.kill('SIGTERM')
    await bot.waitForLog((l) => l.msg === 'shutting down')
    const late = await notify(url, { to: 'bob@localhost', text: 'too late' })
    expect([late.status, late.headers.get('retry-after')]).toEqual([503, '5'])
    expect((await slow).status).toBe(202)
    expect((await bodyOf(bob, botJid)).getChildText('body')).toBe('finished in time')
    expect((await bot.exited).code).toBe(0)
    await bob.close()
  })
})

describe('one bot file as web: and bot:', () => {
  let prosody: Prosody

  beforeAll(async () => {
    prosody = await startProsody({ muc: false })
  })

  afterAll(async () => {
    await prosody?.stop()
  })

  it('joins one formation: each chat answered once, and the worker takes the web process share when it stops', async () => {
    const botJid = await prosody.register('pair', 'pair-pw')
    await prosody.register('carol', 'carol-pw')
    const account = { JID: botJid, JPASSWORD: 'pair-pw', XMPP_SERVICE: prosody.service }
    const worker = startBotProcess('dist/examples/echo.js', { ...account, XMPP_RESOURCE: 'bot.1' })
    await worker.waitForLog((l) => l.msg === 'online')
    const { bot: web, url } = await startWeb('dist/examples/echo.js', { ...account, XMPP_RESOURCE: 'web.1' })
    const end = Date.now() + 10_000
    while (((await (await fetch(`${url}/healthz`)).json()) as { members: number }).members !== 2) {
      if (Date.now() > end) throw new Error('the web process never saw a formation of two')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const carol = await connectPeer({ service: prosody.service, jid: 'carol@localhost', password: 'carol-pw' })
    await carol.sendPresence()
    for (const text of ['one', 'two', 'three']) {
      await carol.send(xml('message', { to: botJid, type: 'chat' }, xml('body', {}, text)))
      // A second answer to one text would come before the next text's.
      expect((await bodyOf(carol, botJid)).getChildText('body')).toBe(`You said: ${text}`)
    }
    web.kill('SIGTERM')
    expect((await web.exited).code).toBe(0)
    await carol.send(xml('message', { to: botJid, type: 'chat' }, xml('body', {}, 'still there?')))
    const answer = await bodyOf(carol, botJid)
    expect([answer.attrs.from, answer.getChildText('body')]).toEqual([`${botJid}/bot.1`, 'You said: still there?'])
    worker.kill('SIGTERM')
    expect((await worker.exited).code).toBe(0)
    await carol.close()
  })
})
