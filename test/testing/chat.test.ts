import { createBot, xml } from 'natter'
import { TestChat } from 'natter/testing'
import { describe, expect, it } from 'vitest'
import { ALICE, bodies, errorCondition, message, testBot } from '../support/unit.js'

describe('TestChat', () => {
  it('returns the bodies the bot sent back, and keeps everything it sent', async () => {
    const { bot, chat } = testBot()
    bot.message({ body: true }, async (msg) => {
      await msg.reply('one')
      await msg.reply('two')
    })
    expect(await chat.say(ALICE, 'x')).toEqual(['one', 'two'])
    expect(await chat.say(ALICE, 'y')).toEqual(['one', 'two'])
    expect(bodies(chat.sent)).toEqual(['one', 'two', 'one', 'two'])
  })

  it('say() returns only what went back to the sender, with the recipients', async () => {
    const { bot, chat } = testBot()
    bot.message({ body: true }, async (msg) => {
      await bot.say('ops@example.org', `${msg.from} said ${msg.body}`)
      await msg.reply('noted')
    })
    const replies = await chat.say(ALICE, 'x')
    expect(replies).toEqual(['noted'])
    expect(replies.recipients).toEqual([ALICE])
    expect(bodies(chat.sent)).toEqual([`${ALICE} said x`, 'noted'])
  })

  it('say() waits for the handlers of its own message only, and returns only what they sent', async () => {
    const { bot, chat } = testBot()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    bot.message({ body: 'slow' }, async (msg) => {
      await gate
      await msg.reply('slow done')
    })
    bot.message({ body: true }, (msg) => msg.reply(`quick ${msg.body}`))
    const slow = chat.say(ALICE, 'slow')
    expect(await chat.say(ALICE, 'one')).toEqual(['quick one'])
    release()
    expect(await slow).toEqual(['slow done'])
  })

  it('waits for slow handlers before returning', async () => {
    const { bot, chat } = testBot()
    bot.message({ body: true }, async (msg) => {
      await new Promise((resolve) => setTimeout(resolve, 20))
      await msg.reply('late')
    })
    expect(await chat.say(ALICE, 'x')).toEqual(['late'])
  })

  it('puts an IQ reply last, after what the handler sent', async () => {
    const { bot, chat } = testBot()
    bot.iq({ xmlns: 'urn:example:q' }, async (iq) => {
      await iq.send(xml('message', { to: iq.from }, xml('body', {}, 'working on it')))
      return xml('query', { xmlns: 'urn:example:q' })
    })
    const out = await chat.receive(xml('iq', { from: ALICE, type: 'get', id: 'q1' }, xml('query', { xmlns: 'urn:example:q' })))
    expect(out.map((s) => s.name)).toEqual(['message', 'iq'])
  })

  it('answers pings for the bot, as the transport does', async () => {
    const { chat } = testBot()
    const reply = await chat.iq(ALICE, 'get', xml('ping', { xmlns: 'urn:xmpp:ping' }))
    expect(reply.attrs).toMatchObject({ type: 'result', to: ALICE })
  })

  it('answers an IQ nobody handles with service-unavailable', async () => {
    const { chat } = testBot()
    expect(errorCondition(await chat.iq(ALICE, 'get', xml('query', { xmlns: 'urn:example:none' })))).toBe('service-unavailable')
  })

  it("addresses stanzas to the bot's JID, which can be chosen", async () => {
    const bot = createBot({ env: {} })
    const chat = new TestChat(bot, { jid: 'helper@example.net/test' })
    let to: string | undefined
    bot.message((msg) => {
      to = msg.to
    })
    await chat.receive(message({}, 'x'))
    expect(chat.jid).toBe('helper@example.net/test')
    expect(bot.jid).toBe('helper@example.net/test')
    expect(to).toBe('helper@example.net/test')
  })

  it('takes a bot only once', () => {
    const { bot } = testBot()
    expect(() => new TestChat(bot)).toThrow(/already started/)
  })
})
