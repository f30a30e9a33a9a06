import { type MessageContext, xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { ALICE, BOT, bodies, message, testBot } from '../../support/unit.js'

const NS_CHATSTATES = 'http://jabber.org/protocol/chatstates'
const NS_DELAY = 'urn:xmpp:delay'
const ROOM = 'room@conference.example.org'

const delay = (stamp = '2024-05-01T10:00:00Z') => xml('delay', { xmlns: NS_DELAY, stamp })

/** The context the bot builds for a stanza, as its only handler sees it. */
async function contextOf(stanza: ReturnType<typeof message>, options?: Parameters<typeof testBot>[0]): Promise<MessageContext | undefined> {
  const { bot, chat } = testBot(options)
  let seen: MessageContext | undefined
  bot.message((msg) => {
    seen = msg
  })
  await chat.receive(stanza)
  return seen
}

describe('fields', () => {
  it('are read from the stanza', async () => {
    const msg = await contextOf(
      message({ id: 'm1', 'xml:lang': 'en' }, 'hello', xml('subject', {}, 'greeting'), xml('thread', {}, 't-1'), xml('active', { xmlns: NS_CHATSTATES })),
    )
    expect(msg).toMatchObject({
      kind: 'message',
      type: 'chat',
      from: ALICE,
      to: BOT,
      id: 'm1',
      lang: 'en',
      body: 'hello',
      subject: 'greeting',
      thread: 't-1',
      chatState: 'active',
      delayedAt: undefined,
      delayed: false,
      room: undefined,
      nick: undefined,
      mentioned: false,
    })
  })

  it('are undefined when absent', async () => {
    const msg = await contextOf(message({}, undefined, xml('composing', { xmlns: NS_CHATSTATES })))
    expect(msg).toMatchObject({ body: undefined, subject: undefined, thread: undefined, chatState: 'composing' })
  })

  it.each([
    [undefined, 'normal'],
    ['headline', 'headline'],
    ['error', 'error'],
    ['bogus', 'normal'],
  ])('read type %j as %j', async (type, expected) => {
    expect((await contextOf(message({ type }, 'x')))?.type).toBe(expected)
  })

  it('ignore a chat state element outside the chat states namespace', async () => {
    expect((await contextOf(message({}, 'x', xml('composing', { xmlns: 'urn:example:other' }))))?.chatState).toBeUndefined()
  })

  it('ignore a malformed delay stamp', async () => {
    expect((await contextOf(message({}, 'x', delay('yesterday'))))?.delayed).toBe(false)
  })

  it('give the room and nick of a groupchat message', async () => {
    const msg = await contextOf(message({ from: `${ROOM}/carol`, type: 'groupchat' }, 'hi'))
    expect(msg).toMatchObject({ room: ROOM, nick: 'carol' })
  })

  it("default the sender to the bot's server when the stanza has no from", async () => {
    const msg = await contextOf(message({ from: undefined, type: 'headline' }, 'maintenance tonight'))
    expect(msg?.from).toBe('example.org')
  })
})

describe('which messages reach handlers', () => {
  it("not the bot's own", async () => {
    expect(await contextOf(message({ from: BOT }, 'echo'))).toBeUndefined()
  })

  it("the bot's own when asked for", async () => {
    expect(await contextOf(message({ from: BOT }, 'echo'), { receive: { ownMessages: true } })).toBeDefined()
  })

  it('not room history replayed on join', async () => {
    expect(await contextOf(message({ from: `${ROOM}/carol`, type: 'groupchat' }, 'old news', delay()))).toBeUndefined()
  })

  it('room history when asked for, marked delayed', async () => {
    const msg = await contextOf(message({ from: `${ROOM}/carol`, type: 'groupchat' }, 'old news', delay()), { receive: { roomHistory: true } })
    expect(msg?.delayed).toBe(true)
  })

  it('delayed 1:1 messages, kept by the server while the bot was away, marked with their time', async () => {
    const msg = await contextOf(message({}, 'sent while you were away', delay('2024-05-01T10:00:00Z')))
    expect(msg?.delayed).toBe(true)
    expect(msg?.delayedAt?.toISOString()).toBe('2024-05-01T10:00:00.000Z')
  })
})

describe('reply', () => {
  it("answers a chat message in chat, to the sender's full JID", async () => {
    const { bot, chat } = testBot()
    bot.message({ body: true }, (msg) => msg.reply('pong'))
    const [out] = await chat.receive(message({}, 'ping'))
    expect(out?.attrs).toMatchObject({ to: ALICE, type: 'chat' })
    expect(out?.getChildText('body')).toBe('pong')
  })

  it('keeps the type of a normal message and the thread', async () => {
    const { bot, chat } = testBot()
    bot.message({ body: true }, (msg) => msg.reply('pong'))
    const [out] = await chat.receive(message({ type: 'normal' }, 'ping', xml('thread', {}, 'thread-9')))
    expect(out?.attrs.type).toBe('normal')
    expect(out?.getChildText('thread')).toBe('thread-9')
  })

  it('has no thread when the message had none', async () => {
    const { bot, chat } = testBot()
    bot.message({ body: true }, (msg) => msg.reply('pong'))
    const [out] = await chat.receive(message({}, 'ping'))
    expect(out?.getChild('thread')).toBeUndefined()
  })

  it('answers a groupchat message in the room, to its bare JID', async () => {
    const { bot, chat } = testBot()
    bot.message({ body: true }, (msg) => msg.reply('hi all'))
    const [out] = await chat.receive(message({ from: `${ROOM}/carol`, type: 'groupchat' }, 'hello'))
    expect(out?.attrs).toMatchObject({ to: ROOM, type: 'groupchat' })
  })

  it('answers a private message from a room occupant privately', async () => {
    const { bot, chat } = testBot()
    bot.message({ body: true }, (msg) => msg.reply('psst'))
    const [out] = await chat.receive(message({ from: `${ROOM}/carol`, type: 'chat' }, 'hello'))
    expect(out?.attrs).toMatchObject({ to: `${ROOM}/carol`, type: 'chat' })
  })

  it('answers a headline as a normal message, since headlines expect no reply of their own kind', async () => {
    const { bot, chat } = testBot()
    bot.message({ body: true }, (msg) => msg.reply('noted'))
    const [out] = await chat.receive(message({ type: 'headline' }, 'news'))
    expect(out?.attrs.type).toBe('normal')
  })

  it('never answers an error message, so two bots cannot loop', async () => {
    const { bot, chat } = testBot()
    bot.message((msg) => msg.reply('what?'))
    expect(await chat.receive(message({ type: 'error' }, 'bounced'))).toEqual([])
  })

  it.each([
    ['a chat state', message({}, undefined, xml('composing', { xmlns: NS_CHATSTATES }))],
    ['a receipt', message({}, undefined, xml('received', { xmlns: 'urn:xmpp:receipts', id: 'r1' }))],
    ['a subject change', message({ type: 'groupchat', from: `${ROOM}/carol` }, undefined, xml('subject', {}, 'Topic'))],
  ])('never answers a message without a body (%s), nor shows typing for it', async (_name, stanza) => {
    const { bot, chat } = testBot()
    bot.message(async (msg) => {
      await msg.typing()
      await msg.reply('what?')
    })
    expect(await chat.receive(stanza)).toEqual([])
  })
})

describe('typing', () => {
  it('sends composing, and the reply carries active', async () => {
    const { bot, chat } = testBot()
    bot.message({ body: true }, async (msg) => {
      await msg.typing()
      await msg.reply('done')
    })
    const [composing, reply] = await chat.receive(message({}, 'slow'))
    expect(composing?.attrs).toMatchObject({ to: ALICE, type: 'chat' })
    expect(composing?.getChild('composing', NS_CHATSTATES)).toBeDefined()
    expect(composing?.getChild('body')).toBeUndefined()
    expect(reply?.getChildText('body')).toBe('done')
    expect(reply?.getChild('active', NS_CHATSTATES)).toBeDefined()
  })

  it('ends with the first reply', async () => {
    const { bot, chat } = testBot()
    bot.message({ body: true }, async (msg) => {
      await msg.typing()
      await msg.reply('one')
      await msg.reply('two')
    })
    const [, first, second] = await chat.receive(message({}, 'x'))
    expect(first?.getChild('active', NS_CHATSTATES)).toBeDefined()
    expect(second?.getChild('active', NS_CHATSTATES)).toBeUndefined()
  })

  it('leaves replies without a chat state when the bot did not type', async () => {
    const { bot, chat } = testBot()
    bot.message({ body: true }, (msg) => msg.reply('quick'))
    const [reply] = await chat.receive(message({}, 'x'))
    expect(reply?.getChild('active', NS_CHATSTATES)).toBeUndefined()
  })

  it('sends nothing outside 1:1 chat', async () => {
    const { bot, chat } = testBot()
    bot.message({ body: true }, async (msg) => {
      await msg.typing()
      await msg.reply('done')
    })
    const out = await chat.receive(message({ type: 'normal' }, 'x'))
    expect(out).toHaveLength(1)
    expect(bodies(out)).toEqual(['done'])
  })
})
