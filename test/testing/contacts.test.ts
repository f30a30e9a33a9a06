import { createBot, xml } from 'natter'
import { testKit } from 'natter/testing'
import { describe, expect, it } from 'vitest'

function echoBot() {
  const bot = createBot()
  bot.subscription({ type: 'subscribe' }, async (req) => {
    await req.approve()
    await req.subscribeBack()
  })
  bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
  return bot
}

describe('a contact', () => {
  it("gets the replies to what they say, and nobody else's", async () => {
    const kit = await testKit(echoBot())
    const alice = kit.contact('alice@example.org')
    const bob = kit.contact('bob@example.org/laptop')
    expect(await alice.say('hi')).toEqual(['You said: hi'])
    expect(await bob.say('yo')).toEqual(['You said: yo'])
    expect(alice.received).toEqual(['You said: hi'])
    expect(alice.received.recipients).toEqual(['alice@example.org/test'])
    expect(bob.jid).toBe('bob@example.org/laptop')
  })

  it('is the same contact for the same JID', async () => {
    const kit = await testKit(echoBot())
    expect(kit.contact('alice@example.org')).toBe(kit.contact('Alice@Example.org/test'))
  })

  it('keeps the type and thread of a message', async () => {
    const bot = createBot()
    bot.message({ body: true }, (msg) => msg.reply(`${msg.type} ${msg.thread}`))
    const kit = await testKit(bot)
    const replies = await kit.contact('alice@example.org').say('x', { type: 'normal', thread: 't-1' })
    expect(replies).toEqual(['normal t-1'])
    expect(replies.stanzas[0]?.getChildText('thread')).toBe('t-1')
  })

  it("asks to subscribe; the bot's approval and request back land on its roster, as the server pushes them", async () => {
    const bot = echoBot()
    const kit = await testKit(bot)
    const alice = kit.contact('alice@example.org')
    const answer = await alice.subscribe()
    expect(answer.stanzas.map((s) => s.attrs.type)).toEqual(['subscribed', 'subscribe'])
    expect(bot.roster.get('alice@example.org')).toMatchObject({ subscription: 'from', ask: 'subscribe' })
    await alice.approve()
    expect(bot.roster.get('alice@example.org')).toMatchObject({ subscription: 'both', ask: undefined })
    expect(kit.roster.get('alice@example.org')?.subscription).toBe('both')
  })

  it("can refuse the bot's request, and unsubscribe", async () => {
    const bot = echoBot()
    const kit = await testKit(bot)
    const alice = kit.contact('alice@example.org')
    await alice.subscribe()
    await alice.deny()
    expect(bot.roster.get('alice@example.org')).toMatchObject({ subscription: 'from', ask: undefined })
    await alice.unsubscribe()
    expect(bot.roster.get('alice@example.org')?.subscription).toBe('none')
  })

  it('sends presence that presence handlers see', async () => {
    const bot = createBot()
    const seen: string[] = []
    bot.presence((p) => {
      seen.push(`${p.from} ${p.type} ${p.show ?? '-'} ${p.status ?? '-'}`)
    })
    const kit = await testKit(bot)
    const alice = kit.contact('alice@example.org/phone')
    await alice.available({ show: 'dnd', status: 'meeting', priority: 5 })
    await alice.unavailable()
    expect(seen).toEqual(['alice@example.org/phone available dnd meeting', 'alice@example.org/phone unavailable - -'])
  })

  it("sends IQs that are answered by the wire's rules", async () => {
    const bot = createBot()
    bot.iq({ type: 'get', xmlns: 'urn:example:q' }, () => xml('query', { xmlns: 'urn:example:q' }, 'answer'))
    const kit = await testKit(bot)
    const alice = kit.contact('alice@example.org')
    expect((await alice.iq('get', xml('query', { xmlns: 'urn:example:q' }))).getChildText('query', 'urn:example:q')).toBe('answer')
    expect((await alice.iq('get', xml('query', { xmlns: 'urn:example:none' }))).getChild('error')?.getChild('service-unavailable')).toBeDefined()
    const twoChildren = await alice.send(xml('iq', { type: 'get', id: 'two' }, xml('a', { xmlns: 'urn:x' }), xml('b', { xmlns: 'urn:x' })))
    const noType = await alice.send(xml('iq', { id: 'untyped' }, xml('a', { xmlns: 'urn:x' })))
    const noChild = await alice.send(xml('iq', { type: 'get', id: 'empty' }))
    for (const reply of [twoChildren, noType, noChild]) expect(reply.stanzas.at(-1)?.getChild('error')?.getChild('bad-request')).toBeDefined()
  })

  it("answers the bot's pings", async () => {
    const bot = createBot()
    const kit = await testKit(bot)
    await expect(bot.ping(kit.contact('alice@example.org').jid)).resolves.toBeGreaterThanOrEqual(0)
    await expect(bot.ping()).resolves.toBeGreaterThanOrEqual(0)
  })

  it("is refused a JID that is not a user's", async () => {
    const kit = await testKit(createBot())
    expect(() => kit.contact('example.org')).toThrow(TypeError)
  })
})
