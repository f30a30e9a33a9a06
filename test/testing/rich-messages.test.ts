// Corrections, retractions, reactions and replies, as the test kit's contacts send them.
import { createBot, type MessageContext } from 'natter'
import { testKit } from 'natter/testing'
import { describe, expect, it } from 'vitest'

function todoBot() {
  const bot = createBot({ env: {} })
  const items: string[] = []
  bot.command('add <item...>', 'Adds an item', (cmd) => {
    items.push(cmd.args.item)
    return cmd.reply(`${items.length} items`)
  })
  return { bot, items }
}

describe('corrections', () => {
  it('do not run a command again, and reach a handler that asks for them', async () => {
    const { bot, items } = todoBot()
    const corrected: MessageContext[] = []
    const kit = await testKit(bot)
    const alice = kit.contact('alice@example.org')
    expect(await alice.say('add mlik')).toEqual(['1 items'])
    expect(await alice.correct('add milk')).toEqual([])
    expect(items).toEqual(['mlik'])
    bot.message({ correction: true, body: true }, (msg) => {
      corrected.push(msg)
    })
    await alice.correct('add milk!')
    expect(corrected.map((m) => m.body)).toEqual(['add milk!'])
    expect(items).toEqual(['mlik'])
  })

  it('a handler that names no correction does not see them', async () => {
    const bot = createBot({ env: {} })
    bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
    const alice = (await testKit(bot)).contact('alice@example.org')
    await alice.say('helo')
    expect(await alice.correct('hello')).toEqual([])
    expect(await alice.retract()).toEqual([])
  })

  it('cannot be sent before anything was said', async () => {
    const alice = (await testKit(createBot({ env: {} }))).contact('alice@example.org')
    expect(() => alice.correct('x')).toThrow(/said nothing to correct/)
  })
})

describe('reactions', () => {
  it('reach a reaction handler with the bot message and the emojis, and never the commands', async () => {
    const { bot } = todoBot()
    const seen: Array<{ id: string; emojis: readonly string[] }> = []
    bot.message({ reaction: true }, (msg) => {
      seen.push(msg.reaction)
      return msg.reply('Thanks!')
    })
    const alice = (await testKit(bot)).contact('alice@example.org')
    const replies = await alice.say('add tea')
    expect(await alice.react('👍')).toEqual(['Thanks!'])
    expect(seen).toEqual([{ id: replies.stanzas[0]?.attrs.id, emojis: ['👍'] }])
  })
})

describe('replies', () => {
  it('reach the commands without the quote, and carry what they answer', async () => {
    const { bot, items } = todoBot()
    const replyTo: unknown[] = []
    bot.use((ctx, next) => {
      if (ctx.kind === 'message') replyTo.push((ctx as MessageContext).replyTo)
      return next()
    })
    const alice = (await testKit(bot)).contact('alice@example.org')
    const first = await alice.say('add tea')
    expect(await alice.reply('add cake')).toEqual(['2 items'])
    expect(items).toEqual(['tea', 'cake'])
    expect(replyTo[1]).toEqual({ id: first.stanzas[0]?.attrs.id, author: 'bot@example.org/natter' })
  })
})
