import { createBot, VERSION, xml } from 'natter'
import { TestChat } from 'natter/testing'
import { describe, expect, it } from 'vitest'
import { ALICE, testBot } from '../../support/unit.js'

const NS_VERSION = 'jabber:iq:version'

describe('software version', () => {
  it('answers natter and its version, and keeps the operating system to itself', async () => {
    const { chat } = testBot()
    const reply = await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_VERSION }))
    const query = reply.getChild('query', NS_VERSION)
    expect(reply.attrs.type).toBe('result')
    expect(query?.getChildText('name')).toBe('natter')
    expect(query?.getChildText('version')).toBe(VERSION)
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/)
    expect(query?.getChild('os')).toBeUndefined()
  })

  it('lets a handler registered before start answer for the bot instead', async () => {
    const bot = createBot({ env: {} })
    bot.iq({ type: 'get', xmlns: NS_VERSION }, () => xml('query', { xmlns: NS_VERSION }, xml('name', {}, 'weatherbot'), xml('version', {}, '2.0')))
    const chat = new TestChat(bot)
    const reply = await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_VERSION }))
    expect(reply.getChild('query', NS_VERSION)?.getChildText('name')).toBe('weatherbot')
  })
})
