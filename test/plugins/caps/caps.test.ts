import { capsVer, createBot, xml } from 'natter'
import { testKit } from 'natter/testing'
import { describe, expect, it } from 'vitest'
import { ALICE, testBot } from '../../support/unit.js'

const NS_CAPS = 'http://jabber.org/protocol/caps'
const NS_INFO = 'http://jabber.org/protocol/disco#info'

describe('caps', () => {
  it("puts the hash of the bot's disco#info in its presence", async () => {
    const bot = createBot({ env: {} })
    const chat = await testKit(bot)
    const presence = chat.sent.find((s) => s.name === 'presence')
    const c = presence?.getChild('c', NS_CAPS)
    expect(c?.attrs).toMatchObject({ hash: 'sha-1', node: bot.caps.node })
    const info = await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_INFO }))
    expect(c?.attrs.ver).toBe(capsVer(info.getChild('query', NS_INFO) ?? xml('query')))
    expect(bot.features.has(NS_CAPS)).toBe(true)
  })

  it('answers disco#info on node#ver as on the bot, and item-not-found on a stale ver', async () => {
    const { bot, chat } = testBot()
    const node = `${bot.caps.node}#${bot.caps.ver}`
    const reply = await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_INFO, node }))
    const query = reply.getChild('query', NS_INFO)
    expect(query?.attrs.node).toBe(node)
    expect(capsVer(query ?? xml('query'))).toBe(bot.caps.ver)
    const stale = await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_INFO, node: `${bot.caps.node}#old` }))
    expect(stale.attrs.type).toBe('error')
  })

  it('sends the presence again, once, with the new ver when features are added after start', async () => {
    const bot = createBot({ env: {} })
    const kit = await testKit(bot)
    const before = bot.caps.ver
    const count = kit.sent.filter((s) => s.name === 'presence' && s.attrs.to === undefined).length
    bot.features.add('urn:example:a', 'urn:example:b')
    bot.features.add('urn:example:c')
    await new Promise((resolve) => setImmediate(resolve))
    const presences = kit.sent.filter((s) => s.name === 'presence' && s.attrs.to === undefined)
    expect(presences).toHaveLength(count + 1)
    expect(bot.caps.ver).not.toBe(before)
    expect(presences.at(-1)?.getChild('c', NS_CAPS)?.attrs.ver).toBe(bot.caps.ver)
  })
})
