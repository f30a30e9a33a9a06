import { type StanzaContext, xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { ALICE, BOT, testBot } from '../../support/unit.js'

async function contextOf(stanza: ReturnType<typeof xml>): Promise<StanzaContext | undefined> {
  const { bot, chat } = testBot()
  let seen: StanzaContext | undefined
  bot.use((ctx) => {
    seen = ctx
  })
  await chat.receive(stanza)
  return seen
}

describe('StanzaContext', () => {
  it('reads the addressing, id and language of any stanza', async () => {
    const ctx = await contextOf(xml('presence', { from: ALICE, to: BOT, id: 'p1', 'xml:lang': 'de' }))
    expect(ctx).toMatchObject({ kind: 'presence', from: ALICE, to: BOT, id: 'p1', lang: 'de' })
    expect(ctx?.stanza.attrs.id).toBe('p1')
  })

  it("takes a missing from as the bot's server, which sent it", async () => {
    expect((await contextOf(xml('presence', {})))?.from).toBe('example.org')
  })

  it('sends through the bot', async () => {
    const { bot, chat } = testBot()
    bot.presence(async (ctx) => {
      await ctx.send(xml('presence', { to: ctx.from, type: 'probe' }))
    })
    const out = await chat.receive(xml('presence', { from: ALICE }))
    expect(out.map((s) => s.attrs)).toEqual([{ to: ALICE, type: 'probe' }])
  })
})
