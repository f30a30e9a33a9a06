import { type MessageContext, xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { ALICE, message, testBot } from '../../support/unit.js'

const ROOM = 'room@conference.example.org'

/** The context a handler whose guard names every opt-in field sees, or undefined when none took the stanza. */
async function contextOf(stanza: ReturnType<typeof message>): Promise<MessageContext | undefined> {
  const { bot, chat } = testBot()
  let seen: MessageContext | undefined
  const keep = (msg: MessageContext) => {
    seen = msg
  }
  bot.message([{ correction: true }, { retraction: true }, { reaction: true }], keep)
  bot.message(keep)
  await chat.receive(stanza)
  return seen
}

describe('what refers to another message', () => {
  it('a reply: the id and author, and the body without its quote', async () => {
    const msg = await contextOf(
      message(
        { id: 'm2' },
        '> earlier\nmine',
        xml('reply', { xmlns: 'urn:xmpp:reply:0', id: 'm1', to: 'bot@example.org/natter' }),
        xml('fallback', { xmlns: 'urn:xmpp:fallback:0', for: 'urn:xmpp:reply:0' }, xml('body', { start: 0, end: 10 })),
      ),
    )
    expect(msg?.replyTo).toEqual({ id: 'm1', author: 'bot@example.org/natter' })
    expect(msg?.body).toBe('mine')
    expect(msg?.stanza.getChildText('body')).toBe('> earlier\nmine')
  })

  it('a reaction: the id and the emojis, none when taken back', async () => {
    const reactions = (...emojis: string[]) =>
      xml(
        'reactions',
        { xmlns: 'urn:xmpp:reactions:0', id: 'm1' },
        emojis.map((e) => xml('reaction', {}, e)),
      )
    expect((await contextOf(message({}, undefined, reactions('👍', '🎉'))))?.reaction).toEqual({ id: 'm1', emojis: ['👍', '🎉'] })
    expect((await contextOf(message({}, undefined, reactions())))?.reaction).toEqual({ id: 'm1', emojis: [] })
  })

  it('a correction and a retraction, in both forms of XEP-0424', async () => {
    expect((await contextOf(message({}, 'fixed', xml('replace', { xmlns: 'urn:xmpp:message-correct:0', id: 'm1' }))))?.correction).toBe('m1')
    expect((await contextOf(message({}, undefined, xml('retract', { xmlns: 'urn:xmpp:message-retract:1', id: 'm1' }))))?.retraction).toBe('m1')
    const fastened = xml('apply-to', { xmlns: 'urn:xmpp:fasten:0', id: 'm0' }, xml('retract', { xmlns: 'urn:xmpp:message-retract:0' }))
    expect((await contextOf(message({}, undefined, fastened)))?.retraction).toBe('m0')
  })

  it('chat markers, and whether the sender asks for them', async () => {
    const marker = await contextOf(message({}, undefined, xml('displayed', { xmlns: 'urn:xmpp:chat-markers:0', id: 'b1' })))
    expect(marker?.marker).toEqual({ type: 'displayed', id: 'b1' })
    expect(marker?.markable).toBe(false)
    expect((await contextOf(message({}, 'hi', xml('markable', { xmlns: 'urn:xmpp:chat-markers:0' }))))?.markable).toBe(true)
  })

  it('ignores elements without the id they need', async () => {
    const msg = await contextOf(
      message(
        {},
        'hi',
        xml('reply', { xmlns: 'urn:xmpp:reply:0' }),
        xml('reactions', { xmlns: 'urn:xmpp:reactions:0' }),
        xml('replace', { xmlns: 'urn:xmpp:message-correct:0', id: '' }),
        xml('received', { xmlns: 'urn:xmpp:chat-markers:0' }),
      ),
    )
    expect(msg).toMatchObject({ replyTo: undefined, reaction: undefined, correction: undefined, marker: undefined })
  })
})

describe('answering', () => {
  async function answer(stanza: ReturnType<typeof message>, act: (msg: MessageContext) => Promise<void>) {
    const { bot, chat } = testBot()
    bot.message((msg) => act(msg))
    return chat.receive(stanza)
  }

  it('reply({ quote: true }) quotes the text and refers to the message', async () => {
    const [out] = await answer(message({ id: 'm1' }, 'ping'), (msg) => msg.reply('pong', { quote: true }))
    expect(out?.getChildText('body')).toBe('> ping\npong')
    expect(out?.getChild('reply', 'urn:xmpp:reply:0')?.attrs).toMatchObject({ id: 'm1', to: ALICE })
  })

  it('reply() with unstyled and markable adds their elements', async () => {
    const [out] = await answer(message({ id: 'm1' }, '*x*'), (msg) => msg.reply('*x*', { unstyled: true, markable: true }))
    expect(out?.getChild('unstyled', 'urn:xmpp:styling:0')).toBeDefined()
    expect(out?.getChild('markable', 'urn:xmpp:chat-markers:0')).toBeDefined()
    expect(out?.attrs.id).toBeDefined()
  })

  it('a quote of a message without an id is a clear error', async () => {
    const { bot, chat } = testBot()
    const errors: unknown[] = []
    bot.catch((error) => errors.push(error))
    bot.message((msg) => msg.reply('pong', { quote: true }))
    await chat.receive(message({}, 'ping'))
    expect(String(errors[0])).toContain('cannot quote a message that has no id')
  })

  it('react() refers to the message, in a room by the id the room stamped', async () => {
    const [chatReaction] = await answer(message({ id: 'm1' }, 'ship it'), (msg) => msg.react('🚀'))
    expect(chatReaction?.attrs).toMatchObject({ to: ALICE, type: 'chat' })
    const reactions = chatReaction?.getChild('reactions', 'urn:xmpp:reactions:0')
    expect(reactions?.attrs.id).toBe('m1')
    expect(reactions?.getChildren('reaction').map((r) => r.getText())).toEqual(['🚀'])
    const inRoom = message(
      { from: `${ROOM}/carol`, type: 'groupchat', id: 'own-id' },
      'ship it',
      xml('stanza-id', { xmlns: 'urn:xmpp:sid:0', by: ROOM, id: 'room-id' }),
    )
    const [roomReaction] = await answer(inRoom, (msg) => msg.react(['👍', '🎉']))
    expect(roomReaction?.attrs).toMatchObject({ to: ROOM, type: 'groupchat' })
    expect(roomReaction?.getChild('reactions', 'urn:xmpp:reactions:0')?.attrs.id).toBe('room-id')
  })

  it('mark() sends a marker only when the sender asked for them', async () => {
    expect(await answer(message({ id: 'm1' }, 'hi'), (msg) => msg.mark())).toEqual([])
    const [marker] = await answer(message({ id: 'm1' }, 'hi', xml('markable', { xmlns: 'urn:xmpp:chat-markers:0' })), (msg) => msg.mark('received'))
    expect(marker?.getChild('received', 'urn:xmpp:chat-markers:0')?.attrs.id).toBe('m1')
  })
})
