import { createBot } from 'natter'
import { testKit } from 'natter/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => {
  vi.useRealTimers()
})

function sleepyBot() {
  const bot = createBot()
  bot.message({ type: 'chat', body: /^sleep (\d+)$/ }, async (msg) => {
    await new Promise((resolve) => setTimeout(resolve, Number(msg.match?.[1])))
    await msg.reply('awake')
  })
  bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
  return bot
}

describe('time on the kit', () => {
  it('moves only with the fake clock: a slow handler answers once time has passed, and holds nobody else up', async () => {
    vi.useFakeTimers()
    const kit = await testKit(sleepyBot())
    const alice = kit.contact('alice@example.org')
    const bob = kit.contact('bob@example.org')
    let answered = false
    const sleeping = alice.say('sleep 60000').then((replies) => {
      answered = true
      return replies
    })
    expect(await bob.say('hi')).toEqual(['You said: hi'])
    await vi.advanceTimersByTimeAsync(59_999)
    expect(answered).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(await sleeping).toEqual(['awake'])
  })

  it('leaves no timer of its own behind', async () => {
    vi.useFakeTimers()
    const bot = createBot({ rooms: ['team@conference.example.org'] })
    bot.message({ type: 'chat', body: true }, (msg) => msg.reply('ok'))
    const kit = await testKit(bot, { roster: [{ jid: 'alice@example.org' }] })
    await kit.contact('alice@example.org').say('hi')
    expect(vi.getTimerCount()).toBe(0)
  })
})
