// The poisoned echo, over the wire against a real Prosody: 70,000 unescaped `>` in one chat message (70 KB, legal
// XML) reach the echo bot as ~280 KB once Prosody escapes them, so the echo would be over Prosody's 256 KiB limit.
// The bot must refuse that reply without writing it, stay online, keep answering others, and not be handed the
// message again after a restart; with a limit set above the server's, it must learn from the one stream error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type BotProcess, startBotProcess } from '../../tools/bot-process.js'
import { connectPeer, type Peer, type XmlElement, xml } from '../../tools/peer.js'
import { startScriptedServer } from '../support/scripted-server.js'

let prosody: Prosody
let alice: Peer
let bob: Peer
const bots: BotProcess[] = []

beforeAll(async () => {
  prosody = await startProsody({ muc: false })
  await prosody.register('echo', 'echo-pw')
  await prosody.register('echo2', 'echo2-pw')
  await prosody.register('alice', 'alice-pw')
  await prosody.register('bob', 'bob-pw')
  alice = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
  bob = await connectPeer({ service: prosody.service, jid: 'bob@localhost', password: 'bob-pw' })
})

afterAll(async () => {
  for (const bot of bots) bot.kill('SIGKILL')
  await alice?.close()
  await bob?.close()
  await prosody?.stop()
})

async function startEcho(user: string, env: Record<string, string> = {}): Promise<BotProcess> {
  const bot = startBotProcess('dist/examples/echo.js', { JID: `${user}@localhost`, JPASSWORD: `${user}-pw`, XMPP_SERVICE: prosody.service, ...env })
  bots.push(bot)
  await bot.waitForLog((l) => l.msg === 'online')
  return bot
}

/** The message as an attacker writes it: the `>` unescaped, which xmpp.js would escape. */
function poison(to: string): XmlElement {
  const element = xml('message', { to, type: 'chat', id: 'poison' })
  element.toString = () => `<message to="${to}" type="chat" id="poison"><body>${'>'.repeat(70_000)}</body></message>`
  return element
}

/** Bob says something to the bot and waits for its echo. */
async function bobIsAnswered(to: string, text: string): Promise<void> {
  await bob.send(xml('message', { to, type: 'chat' }, xml('body', {}, text)))
  await bob.waitFor((s) => s.getChildText('body') === `You said: ${text}`, 10_000)
}

describe('an echo that would be over the server’s stanza limit', () => {
  it('is refused unwritten; the bot stays online, answers others, and is not handed the message again after a restart', async () => {
    const bot = await startEcho('echo')
    await alice.send(poison('echo@localhost'))
    const refused = await bot.waitForLog((l) => l.msg === 'stanza not delivered')
    expect(refused).toMatchObject({ reason: 'too-big', to: alice.jid })
    await bobIsAnswered('echo@localhost', 'still there?')
    expect(bot.logs().filter((l) => l.msg === 'online' || l.msg === 'disconnected from the server')).toEqual([expect.objectContaining({ msg: 'online' })])

    bot.kill('SIGTERM')
    expect((await bot.exited).code).toBe(0)
    const restarted = await startEcho('echo')
    await bobIsAnswered('echo@localhost', 'after the restart')
    // The poison would have come first, at login: it was acknowledged, so the server keeps nothing of it.
    expect(restarted.logs().filter((l) => l.msg === 'stanza not delivered')).toEqual([])
    restarted.kill('SIGTERM')
    await restarted.exited
  })

  it('with XMPP_MAX_STANZA_SIZE above the server’s, costs one stream: the bot learns the limit and never sends it again', async () => {
    const bot = await startEcho('echo2', { XMPP_MAX_STANZA_SIZE: String(1024 * 1024) })
    await alice.send(poison('echo2@localhost'))
    const learned = await bot.waitForLog((l) => l.msg === 'the server refused a stanza as too big; nothing that big is sent again', 15_000)
    expect(learned.limit).toBeLessThan(learned.bytes as number)
    await bot.waitForLog((l) => l.msg === 'stanza not delivered' && l.reason === 'too-big', 15_000)
    await bobIsAnswered('echo2@localhost', 'and now?')
    await bobIsAnswered('echo2@localhost', 'still?')
    const sessions = bot.logs().filter((l) => l.msg === 'online' || l.msg === 'session resumed')
    expect(sessions).toHaveLength(2)
    bot.kill('SIGTERM')
    await bot.exited
  })
})

describe('a server that advertises a smaller stanza limit (XEP-0478)', () => {
  it('is believed: an echo over it is refused unwritten, a smaller one goes out', async () => {
    const chat = (id: string, body: string) =>
      `<message from='alice@localhost/x' to='bot@localhost/scripted' type='chat' id='${id}'><body>${body}</body></message>`
    const server = await startScriptedServer({
      mechanisms: ['SCRAM-SHA-256'],
      behaviour: { kind: 'honest', password: 'limits-pw' },
      maxBytes: 4096,
      afterBind: chat('big', 'y'.repeat(5000)) + chat('small', 'small'),
    })
    try {
      const bot = startBotProcess('dist/examples/echo.js', { JID: 'bot@localhost', JPASSWORD: 'limits-pw', XMPP_SERVICE: server.service })
      bots.push(bot)
      const refused = await bot.waitForLog((l) => l.msg === 'stanza not delivered')
      expect(refused).toMatchObject({ reason: 'too-big', to: 'alice@localhost/x' })
      await expect.poll(() => server.on(1)).toContain('message You said: small')
      expect(server.on(1).filter((e) => e.startsWith('message'))).toEqual(['message You said: small'])
    } finally {
      await server.close()
    }
  })
})
