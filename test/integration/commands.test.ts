// The command example as a worker process: 1:1 chat and rooms joined through XMPP_ROOMS, over the wire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type BotProcess, startBotProcess } from '../../tools/bot-process.js'
import { connectPeer, joinRoom, type Peer, type XmlElement, xml } from '../../tools/peer.js'

const NS_MUC_USER = 'http://jabber.org/protocol/muc#user'
const LOBBY = 'lobby@conference.localhost'
const FRESH = 'fresh@conference.localhost'

let prosody: Prosody
let bot: BotProcess
let alice: Peer
let botJid: string

beforeAll(async () => {
  prosody = await startProsody()
  botJid = await prosody.register('cmdbot', 'cmd-pw')
  await prosody.register('alice', 'alice-pw')
  alice = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
  await alice.sendPresence()
  // Alice opens the lobby and leaves a command in its history before the bot arrives.
  await joinRoom(alice, LOBBY, 'alice')
  await alice.send(xml('message', { to: LOBBY, type: 'groupchat' }, xml('body', {}, 'cmdbot: echo from history')))
  await alice.waitFor((s) => s.name === 'message' && s.getChildText('body') === 'cmdbot: echo from history')
  bot = startBotProcess(
    'dist/examples/commands.js',
    {
      JID: botJid,
      JPASSWORD: 'cmd-pw',
      XMPP_SERVICE: prosody.service,
      XMPP_ROOMS: `${LOBBY}, ${FRESH}/helper`,
    },
    ['-D'],
  )
  await bot.waitForLog((l) => l.msg === 'joined room' && l.room === LOBBY)
  await bot.waitForLog((l) => l.msg === 'joined room' && l.room === FRESH)
})

afterAll(async () => {
  bot?.kill('SIGKILL')
  await alice?.close()
  await prosody?.stop()
})

describe('commands in a 1:1 chat', () => {
  it('help lists every command with its description', async () => {
    const text = await ask(botJid, 'help')
    for (const line of ['echo <text...>', 'time', 'roll [sides]', 'uptime', 'wait <seconds>', 'help']) expect(text).toContain(line)
    expect(text).toContain('Repeats the text')
  })

  it('echo repeats the rest of the line', async () => {
    expect(await ask(botJid, 'echo  hello   world ')).toBe('hello   world')
  })

  it('answers a command without its argument with its usage', async () => {
    expect(await ask(botJid, 'echo')).toBe('Usage: echo <text...>')
  })

  it('answers an unknown command with a hint', async () => {
    expect(await ask(botJid, 'frobnicate now')).toMatch(/frobnicate.*help/)
  })

  it('wait shows typing, then answers', async () => {
    await alice.send(xml('message', { to: botJid, type: 'chat' }, xml('body', {}, 'wait 1')))
    await alice.waitFor((s) => s.name === 'message' && s.getChild('composing', 'http://jabber.org/protocol/chatstates') !== undefined)
    const reply = await alice.waitFor((s) => s.name === 'message' && s.getChildText('body') !== null)
    expect(reply.getChildText('body')).toBe('Waited 1 s')
  })

  it('time answers an ISO timestamp', async () => {
    expect(Date.parse(await ask(botJid, 'time'))).not.toBeNaN()
  })
})

describe('commands in a room joined through XMPP_ROOMS', () => {
  it('answers when addressed as "nick: command"', async () => {
    expect(await askRoom('cmdbot: echo hi')).toBe('hi')
  })

  it('answers when addressed as "nick, command"', async () => {
    expect(await askRoom('cmdbot, help')).toContain('echo <text...>')
  })

  it('stays quiet when not addressed, and never answered the history replayed on join', async () => {
    await alice.send(xml('message', { to: LOBBY, type: 'groupchat' }, xml('body', {}, 'hello everyone, echo nothing')))
    // Room messages arrive in order: if the bot had answered history or the line above, that answer comes first.
    expect(await askRoom('cmdbot: echo marker')).toBe('marker')
    expect(alice.inbox.filter((s) => fromBotInRoom(s, LOBBY))).toEqual([])
    // The history was there to answer: the room replayed it to the bot, marked as delayed.
    const replayed = await bot.waitForLog((l) => l.msg === 'xmpp in' && String(l.xml).includes('echo from history'))
    expect(String(replayed.xml)).toContain('urn:xmpp:delay')
  })

  it('created the room it was first in as an instant room, open to others', async () => {
    const self = await joinRoom(alice, FRESH, 'alice')
    const codes = self
      .getChild('x', NS_MUC_USER)
      ?.getChildren('status')
      .map((s) => s.attrs.code)
    expect(codes).not.toContain('201')
    expect(await askRoom('helper: echo fresh', FRESH, 'helper')).toBe('fresh')
  })
})

describe('shutdown', () => {
  it('leaves its rooms on SIGTERM and exits 0, without waiting for a reminder it tells it has lost', async () => {
    expect(await ask(botJid, 'remind 600 stretch')).toBe('OK, in 600 s.')
    expect(await askRoom('cmdbot: help')).toContain('address me as "cmdbot: <command>"')
    bot.kill('SIGTERM')
    const lost = await alice.waitFor((s) => s.name === 'message' && s.getChildText('body')?.includes('lost your reminder "stretch"') === true)
    const left = await alice.waitFor((s) => s.name === 'presence' && s.attrs.from === `${LOBBY}/cmdbot` && s.attrs.type === 'unavailable')
    expect(lost.attrs.type).toBe('chat')
    expect(left).toBeDefined()
    expect((await bot.exited).code).toBe(0)
    expect(bot.output()).toContain('shutdown drops 1 scheduled job: reminder for alice@localhost/')
  })
})

/** Sends a chat message and returns the body of the bot's answer. */
async function ask(to: string, body: string): Promise<string> {
  await alice.send(xml('message', { to, type: 'chat' }, xml('body', {}, body)))
  const reply = await alice.waitFor((s) => s.name === 'message' && s.attrs.type === 'chat' && s.getChildText('body') !== null)
  return reply.getChildText('body') ?? ''
}

/** Says something in a room and returns the body of the bot's next message there. */
async function askRoom(body: string, room = LOBBY, nick = 'cmdbot'): Promise<string> {
  await alice.send(xml('message', { to: room, type: 'groupchat' }, xml('body', {}, body)))
  const reply = await alice.waitFor((s) => fromBotInRoom(s, room, nick))
  return reply.getChildText('body') ?? ''
}

function fromBotInRoom(s: XmlElement, room: string, nick = 'cmdbot'): boolean {
  return s.name === 'message' && s.attrs.type === 'groupchat' && s.attrs.from === `${room}/${nick}` && s.getChildText('body') !== null
}
