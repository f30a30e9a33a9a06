import { createBot } from 'natter'
import { testKit } from 'natter/testing'
import { describe, expect, it } from 'vitest'

function counterBot() {
  const bot = createBot({ env: {}, state: true })
  bot.message({ type: ['chat', 'groupchat'], body: /^count$/ }, async (msg) => {
    const before = Number(msg.state.count ?? 0)
    // A slow handler: a second message of the conversation must wait for this one to be saved.
    await new Promise((resolve) => setImmediate(resolve))
    msg.state.count = before + 1
    await msg.reply(String(before + 1))
  })
  bot.message({ type: 'chat', body: 'fail' }, (msg) => {
    msg.state.count = 1000
    throw new Error('no')
  })
  return bot
}

describe('conversation state', () => {
  it('is kept per sender, loaded before the handlers and saved after them, in order', async () => {
    const kit = await testKit(counterBot)
    const alice = kit.contact('alice@example.org')
    const bob = kit.contact('bob@example.org/laptop')
    await Promise.all([alice.say('count'), alice.say('count'), alice.say('count'), bob.say('count')])
    expect(alice.received).toEqual(['1', '2', '3'])
    expect(await alice.say('count')).toEqual(['4'])
    expect(await kit.contact('alice@example.org/other').say('count')).toEqual(['5'])
    expect(await bob.say('count')).toEqual(['2'])
  })

  it('is not saved when a handler throws', async () => {
    const kit = await testKit(counterBot)
    const alice = kit.contact('alice@example.org')
    await alice.say('count')
    await alice.say('fail')
    expect(await alice.say('count')).toEqual(['2'])
  })

  it('is off unless asked for, and says so', async () => {
    const bot = createBot({ env: {} })
    bot.message({ type: 'chat', body: true }, (msg) => msg.reply(String(msg.state.count)))
    const errors: unknown[] = []
    bot.catch((error) => errors.push(error))
    const kit = await testKit(bot)
    await kit.contact('alice@example.org').say('hi')
    expect(String(errors[0])).toBe('TypeError: ctx.state is off: create the bot with createBot({ state: true })')
  })

  it('survives a restart, and a room has its own', async () => {
    const kit = await testKit(counterBot)
    const alice = kit.contact('alice@example.org')
    await alice.say('count')
    await kit.restart()
    expect(await alice.say('count')).toEqual(['2'])
    const room = await kit.room('team@conference.example.org', { occupants: ['carol'] })
    expect(await room.say('carol', 'count')).toEqual(['1'])
    expect(await room.say('carol', 'count')).toEqual(['2'])
  })
})
