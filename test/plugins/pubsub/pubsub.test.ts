import { createBot, xml } from 'natter'
import { testKit } from 'natter/testing'
import { describe, expect, it } from 'vitest'

const MICROBLOG = 'urn:xmpp:microblog:0'
const entry = (title: string) => xml('entry', { xmlns: 'http://www.w3.org/2005/Atom' }, xml('title', {}, title))

describe('bot.pubsub', () => {
  it("publishes to the bot's own PEP with publish options, fetches and retracts", async () => {
    const bot = createBot({ env: {} })
    const kit = await testKit(bot)
    const id = await bot.pubsub.publish(MICROBLOG, entry('Deployed'), { id: 'post-1', options: { 'pubsub#access_model': 'open' } })
    expect(id).toBe('post-1')
    const request = kit.sent.find((s) => s.name === 'iq' && s.attrs.type === 'set')
    expect(request?.attrs.to).toBeUndefined()
    const form = request?.getChild('pubsub')?.getChild('publish-options')?.getChild('x')
    expect(form?.getChildren('field').map((f) => [f.attrs.var, f.getChildText('value')])).toEqual([
      ['FORM_TYPE', 'http://jabber.org/protocol/pubsub#publish-options'],
      ['pubsub#access_model', 'open'],
    ])
    expect(kit.pubsub.items(MICROBLOG).map((i) => i.payload?.getChildText('title'))).toEqual(['Deployed'])
    expect((await bot.pubsub.items(MICROBLOG)).map((i) => i.id)).toEqual(['post-1'])
    await bot.pubsub.retract(MICROBLOG, 'post-1')
    expect(kit.pubsub.items(MICROBLOG)).toEqual([])
  })

  it('creates, configures, subscribes, unsubscribes and deletes on a service', async () => {
    const bot = createBot({ env: {} })
    const kit = await testKit(bot)
    const service = 'pubsub.example.org'
    await bot.pubsub.create('alerts', { service, config: { 'pubsub#max_items': 20, 'pubsub#persist_items': true, 'pubsub#roster_groups_allowed': ['a', 'b'] } })
    const create = kit.sent.at(-1)
    expect(create?.attrs.to).toBe(service)
    const fields = create?.getChild('pubsub')?.getChild('configure')?.getChild('x')?.getChildren('field') ?? []
    expect(fields.map((f) => [f.attrs.var, f.getChildren('value').map((v) => v.getText())])).toEqual([
      ['FORM_TYPE', ['http://jabber.org/protocol/pubsub#node_config']],
      ['pubsub#max_items', ['20']],
      ['pubsub#persist_items', ['1']],
      ['pubsub#roster_groups_allowed', ['a', 'b']],
    ])
    await expect(bot.pubsub.create('alerts', { service })).rejects.toThrow(/conflict/)
    await bot.pubsub.configure('alerts', { 'pubsub#max_items': 50 }, { service })
    await bot.pubsub.subscribe('alerts', { service })
    expect(kit.pubsub.subscribed('alerts', service)).toBe(true)
    await bot.pubsub.unsubscribe('alerts', { service })
    expect(kit.pubsub.subscribed('alerts', service)).toBe(false)
    await bot.pubsub.delete('alerts', { service })
    expect(kit.pubsub.nodes(service)).toEqual([])
    await expect(bot.pubsub.items('alerts', { service })).rejects.toThrow(/item-not-found/)
  })
})

describe('bot.pubsubEvent()', () => {
  it('hands events to the handlers whose guards match, with items and retractions, and not to message handlers', async () => {
    const bot = createBot({ env: {} })
    const seen: string[] = []
    bot.message(() => {
      seen.push('message')
    })
    bot.pubsubEvent({ node: MICROBLOG, from: 'alice@example.org' }, (event) => {
      seen.push(`${event.from} ${event.node} ${event.items.map((i) => `${i.id}:${i.payload?.getChildText('title')}`).join()} -${event.retracted.join()}`)
    })
    bot.pubsubEvent({ node: 'urn:example:other' }, () => {
      seen.push('other')
    })
    const kit = await testKit(bot)
    await kit.contact('alice@example.org').publish(MICROBLOG, entry('hello'), { id: 'p1' })
    await kit.pubsub.event('alice@example.org', MICROBLOG, { retracted: ['p0'] })
    await kit.pubsub.event('bob@example.org', MICROBLOG, { items: [{ id: 'x', payload: entry('nope') }] })
    expect(seen).toEqual([`alice@example.org ${MICROBLOG} p1:hello -`, `alice@example.org ${MICROBLOG}  -p0`])
  })

  it('announces <node>+notify in disco#info for handlers registered with notify', async () => {
    const bot = createBot({ env: {} })
    bot.pubsubEvent({ node: [MICROBLOG, 'http://jabber.org/protocol/tune'] }, () => {}, { notify: true })
    bot.pubsubEvent({ node: 'urn:example:quiet' }, () => {})
    await testKit(bot)
    expect(bot.features.list()).toContain(`${MICROBLOG}+notify`)
    expect(bot.features.list()).toContain('http://jabber.org/protocol/tune+notify')
    expect(bot.features.list().filter((f) => f.includes('quiet'))).toEqual([])
  })

  it('refuses notify when the guards name no node', () => {
    const bot = createBot({ env: {} })
    expect(() => bot.pubsubEvent(() => {}, { notify: true })).toThrow(/notify needs the guards to name the node/)
  })
})
