import { createBot, type RosterPushContext } from 'natter'
import { testKit } from 'natter/testing'
import { describe, expect, it } from 'vitest'

describe("the kit's roster", () => {
  it('is seeded, and fetched by the bot as it comes online', async () => {
    const bot = createBot()
    await testKit(bot, {
      roster: [
        { jid: 'alice@example.org', name: 'Alice', groups: ['Team'] },
        { jid: 'bob@example.org', subscription: 'to' },
      ],
    })
    expect(bot.roster.items()).toEqual([
      { jid: 'alice@example.org', name: 'Alice', subscription: 'both', ask: undefined, groups: ['Team'] },
      { jid: 'bob@example.org', name: undefined, subscription: 'to', ask: undefined, groups: [] },
    ])
  })

  it("pushes changes to the bot's rosterPush handlers", async () => {
    const bot = createBot()
    const pushes: string[] = []
    bot.rosterPush((push: RosterPushContext) => {
      pushes.push(`${push.jid} ${push.subscription}`)
    })
    const kit = await testKit(bot)
    const [ack] = await kit.roster.push({ jid: 'carol@example.org', name: 'Carol' })
    expect(ack?.attrs.type).toBe('result')
    await kit.roster.remove('carol@example.org')
    expect(pushes).toEqual(['carol@example.org both', 'carol@example.org remove'])
    expect(bot.roster.items()).toEqual([])
  })

  it("answers the bot's changes as a server does: pushed back, then confirmed", async () => {
    const bot = createBot()
    const kit = await testKit(bot)
    await bot.roster.add('dave@example.org/desk', { name: 'Dave', groups: ['Ops'] })
    expect(bot.roster.get('dave@example.org')).toMatchObject({ name: 'Dave', subscription: 'none', groups: ['Ops'] })
    expect(kit.roster.get('dave@example.org')?.name).toBe('Dave')
    await bot.roster.remove('dave@example.org')
    expect(bot.roster.get('dave@example.org')).toBeUndefined()
    expect(kit.roster.items()).toEqual([])
  })

  it('refuses a JID that is not one', async () => {
    await expect(testKit(createBot(), { roster: [{ jid: 'not a jid' }] })).rejects.toThrow(TypeError)
  })
})
