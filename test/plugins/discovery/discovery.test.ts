import { xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { ALICE, errorCondition, testBot } from '../../support/unit.js'

const NS_INFO = 'http://jabber.org/protocol/disco#info'
const NS_ITEMS = 'http://jabber.org/protocol/disco#items'

function features(reply: ReturnType<typeof xml>): string[] {
  return (
    reply
      .getChild('query', NS_INFO)
      ?.getChildren('feature')
      .map((f) => f.attrs.var ?? '') ?? []
  )
}

describe('disco#info', () => {
  it("answers with the bot identity and natter's features", async () => {
    const { chat } = testBot()
    const reply = await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_INFO }))
    expect(reply.attrs.type).toBe('result')
    expect(reply.getChild('query', NS_INFO)?.getChild('identity')?.attrs).toEqual({ category: 'client', type: 'bot', name: 'natter' })
    expect(features(reply)).toEqual(
      expect.arrayContaining([
        NS_INFO,
        NS_ITEMS,
        'urn:xmpp:ping',
        'jabber:iq:version',
        'http://jabber.org/protocol/chatstates',
        'http://jabber.org/protocol/muc',
        'urn:xmpp:delay',
      ]),
    )
  })

  it('lists the namespaces of registered IQ handlers, each once and sorted', async () => {
    const { bot, chat } = testBot()
    bot.iq({ type: 'get', xmlns: 'urn:example:weather' }, () => undefined)
    bot.iq({ type: 'set', xmlns: 'urn:example:weather' }, () => undefined)
    bot.iq([{ xmlns: ['urn:example:a', 'urn:example:b'] }, { xmlns: 'urn:example:c' }], () => undefined)
    const list = features(await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_INFO })))
    expect(list).toEqual(expect.arrayContaining(['urn:example:weather', 'urn:example:a', 'urn:example:b', 'urn:example:c']))
    expect(list.filter((f) => f === 'urn:example:weather')).toHaveLength(1)
    expect(list).toEqual([...list].sort())
  })

  it('does not announce a namespace only a RegExp or predicate matches', async () => {
    const { bot, chat } = testBot()
    bot.iq({ xmlns: /^urn:example:/ }, () => undefined)
    bot.iq({ xmlns: (ns) => ns === 'urn:other:x' }, () => undefined)
    const list = features(await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_INFO })))
    expect(list.some((f) => f.startsWith('urn:example:') || f === 'urn:other:x')).toBe(false)
  })

  it('lists features added by hand', async () => {
    const { bot, chat } = testBot()
    bot.features.add('urn:example:custom')
    expect(bot.features.has('urn:example:custom')).toBe(true)
    expect(features(await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_INFO })))).toContain('urn:example:custom')
  })

  it('refuses a node with item-not-found', async () => {
    const { chat } = testBot()
    expect(errorCondition(await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_INFO, node: 'http://example.org#caps' })))).toBe('item-not-found')
  })

  it('is not answered for a set', async () => {
    const { chat } = testBot()
    expect(errorCondition(await chat.iq(ALICE, 'set', xml('query', { xmlns: NS_INFO })))).toBe('service-unavailable')
  })
})

describe('disco#items', () => {
  it('answers with no items', async () => {
    const { chat } = testBot()
    const reply = await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_ITEMS }))
    expect(reply.attrs.type).toBe('result')
    expect(reply.getChild('query', NS_ITEMS)?.getChildElements()).toEqual([])
  })

  it('refuses a node with item-not-found', async () => {
    const { chat } = testBot()
    expect(errorCondition(await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_ITEMS, node: 'x' })))).toBe('item-not-found')
  })
})
