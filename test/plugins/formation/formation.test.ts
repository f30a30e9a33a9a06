import { type XmlElement, xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { NS_FORMATION } from '../../../src/plugins/formation/formation.js'
import { BOT, bodies, message, testBot } from '../../support/unit.js'

const SIBLING = 'bot@example.org/bot.2.bbbb'
const SENDERS = Array.from({ length: 40 }, (_, i) => `user${i}@example.org/phone`)

function siblingPresence(state = 'active', from = SIBLING): XmlElement {
  return xml('presence', { from, to: BOT }, xml('formation', { xmlns: NS_FORMATION, state }))
}

async function echoes(options: Parameters<typeof testBot>[0] = {}) {
  const { bot, chat } = testBot(options)
  const seen: string[] = []
  bot.presence((p) => {
    seen.push(`presence ${p.from}`)
  })
  bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
  const answered = async (): Promise<number> => {
    let count = 0
    for (const from of SENDERS) count += bodies(await chat.receive(message({ from, to: 'bot@example.org' }, 'hi'))).length
    return count
  }
  return { bot, chat, seen, answered }
}

describe('the formation feature', () => {
  it('alone, answers every conversation', async () => {
    const { answered, bot } = await echoes()
    expect(await answered()).toBe(SENDERS.length)
    expect(bot.formation.members()).toEqual([BOT])
  })

  it("with a sibling, answers only its share, and keeps the sibling's presence from handlers", async () => {
    const { chat, answered, seen, bot } = await echoes()
    await chat.receive(siblingPresence())
    expect(bot.formation.members()).toEqual([SIBLING, BOT].sort())
    const count = await answered()
    expect(count).toBeGreaterThan(0)
    expect(count).toBeLessThan(SENDERS.length)
    expect(seen).toEqual([])
  })

  it('still answers what is sent to its own full JID', async () => {
    const { chat } = await echoes()
    await chat.receive(siblingPresence())
    let answered = 0
    for (const from of SENDERS) answered += bodies(await chat.receive(message({ from, to: BOT }, 'hi'))).length
    expect(answered).toBe(SENDERS.length)
  })

  it('gives a human client on the account no work, and lets its presence through', async () => {
    const { chat, answered, seen } = await echoes()
    await chat.receive(xml('presence', { from: 'bot@example.org/phone', to: BOT }))
    expect(await answered()).toBe(SENDERS.length)
    expect(seen).toEqual(['presence bot@example.org/phone'])
  })

  it('takes the whole work back when the sibling leaves or goes', async () => {
    const { chat, answered } = await echoes()
    await chat.receive(siblingPresence())
    await chat.receive(siblingPresence('leaving'))
    expect(await answered()).toBe(SENDERS.length)
    await chat.receive(siblingPresence())
    await chat.receive(xml('presence', { from: SIBLING, to: BOT, type: 'unavailable' }))
    expect(await answered()).toBe(SENDERS.length)
  })

  it('answers everything when turned off, as every process did before formations', async () => {
    const { chat, answered, bot } = await echoes({ env: { XMPP_FORMATION: 'off' } })
    await chat.receive(siblingPresence())
    expect(bot.formation.enabled).toBe(false)
    expect(await answered()).toBe(SENDERS.length)
  })

  it('keeps carbons from its own account away from handlers', async () => {
    const { bot, chat } = testBot()
    const seen: string[] = []
    bot.message((msg) => {
      seen.push(msg.from)
    })
    const carbon = xml(
      'message',
      { from: 'bot@example.org', to: BOT, type: 'chat' },
      xml(
        'sent',
        { xmlns: 'urn:xmpp:carbons:2' },
        xml('forwarded', { xmlns: 'urn:xmpp:forward:0' }, xml('message', { from: SIBLING, to: 'alice@example.org/phone', type: 'chat' }, xml('body', {}, 'x'))),
      ),
    )
    await chat.receive(carbon)
    expect(seen).toEqual([])
  })

  it('announces itself in its presence', async () => {
    const { bot, chat } = testBot()
    await bot.setStatus(undefined)
    expect(chat.sent.at(-1)?.getChild('formation', NS_FORMATION)?.attrs.state).toBe('active')
  })
})
