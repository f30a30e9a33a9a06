import { createBot, type XmlElement, xml } from 'natter'
import { testKit } from 'natter/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { NS_FORMATION } from '../../../src/plugins/formation/formation.js'
import { ownerAmong } from '../../../src/plugins/formation/members.js'
import { FormationScene } from '../../support/formation-scene.js'
import { BOT, bodies, message, testBot } from '../../support/unit.js'

const SIBLING = 'bot@example.org/bot.2.bbbb'
const SENDERS = Array.from({ length: 40 }, (_, i) => `user${i}@example.org/phone`)

function siblingPresence(state = 'active', from = SIBLING): XmlElement {
  return xml('presence', { from, to: BOT }, xml('formation', { xmlns: NS_FORMATION, state }))
}

/** A sibling's presence, and its answer to the ping that follows: it runs. */
async function runningSibling(
  chat: { sent: readonly XmlElement[]; receive(s: XmlElement): Promise<unknown> },
  state = 'active',
  from = SIBLING,
): Promise<void> {
  await chat.receive(siblingPresence(state, from))
  const ping = chat.sent.findLast((s) => s.name === 'iq' && s.attrs.to === from && s.getChild('ping', 'urn:xmpp:ping'))
  if (ping) await chat.receive(xml('iq', { type: 'result', id: ping.attrs.id, from, to: BOT }))
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

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe('the formation feature', () => {
  it('alone, answers every conversation', async () => {
    const { answered, bot } = await echoes()
    expect(await answered()).toBe(SENDERS.length)
    expect(bot.formation.members()).toEqual([BOT])
  })

  it("with a sibling, answers only its share, and keeps the sibling's presence from handlers", async () => {
    const { chat, answered, seen, bot } = await echoes()
    await runningSibling(chat)
    expect(bot.formation.members()).toEqual([SIBLING, BOT].sort())
    const count = await answered()
    expect(count).toBeGreaterThan(0)
    expect(count).toBeLessThan(SENDERS.length)
    expect(seen).toEqual([])
  })

  it('still answers what is sent to its own full JID', async () => {
    const { chat } = await echoes()
    await runningSibling(chat)
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
    await runningSibling(chat)
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

  describe('just online', () => {
    /** The bot's own presence, as the server sends it back once it has passed it on to the siblings. */
    const ownPresence = (state: string): XmlElement => siblingPresence(state, BOT)
    const lastState = (sent: readonly XmlElement[]): string | undefined =>
      sent
        .filter((s) => s.name === 'presence')
        .at(-1)
        ?.getChild('formation', NS_FORMATION)?.attrs.state

    /** An echo bot brought online by the test kit, as after a fresh login; its clock is the test's. */
    async function freshEchoBot() {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
      const bot = createBot({ env: {} })
      bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
      const kit = await testKit(bot, { jid: BOT })
      const answeredNow = async (): Promise<number> => {
        let count = 0
        for (const from of SENDERS) count += bodies(await kit.receive(message({ from, to: 'bot@example.org' }, 'hi'))).length
        return count
      }
      return { bot, kit, answeredNow }
    }

    it('says it is joining, takes no work while it learns its siblings, then its share from its active presence on', async () => {
      const { bot, kit, answeredNow } = await freshEchoBot()
      expect(lastState(kit.sent)).toBe('joining')
      await kit.receive(ownPresence('joining'))
      expect(await answeredNow()).toBe(0)
      // A sibling's presence comes later than the first messages, as ejabberd's answers to a probe do.
      await kit.receive(siblingPresence())
      await vi.advanceTimersByTimeAsync(1_000)
      expect(lastState(kit.sent)).toBe('active')
      const before = kit.sent.length
      await kit.receive(ownPresence('active'))
      // What came in meanwhile was the sibling's: it took work while this process was joining.
      expect(bodies(kit.sent.slice(before))).toEqual([])
      expect(bot.formation.members()).toEqual([SIBLING, BOT].sort())
      const share = await answeredNow()
      expect(share).toBeGreaterThan(0)
      expect(share).toBeLessThan(SENDERS.length)
    })

    it('answers everything that waited when no sibling takes work, and from then on at once', async () => {
      const { kit, answeredNow } = await freshEchoBot()
      await kit.receive(ownPresence('joining'))
      expect(await answeredNow()).toBe(0)
      // Another process that has just come online takes no work either.
      await kit.receive(siblingPresence('joining'))
      await vi.advanceTimersByTimeAsync(1_000)
      const before = kit.sent.length
      await kit.receive(ownPresence('active'))
      expect(bodies(kit.sent.slice(before))).toHaveLength(SENDERS.length)
      expect(await answeredNow()).toBe(SENDERS.length)
    })

    it('answers what waited when it stops before it has learned its siblings', async () => {
      const { bot, kit, answeredNow } = await freshEchoBot()
      await kit.receive(ownPresence('joining'))
      expect(await answeredNow()).toBe(0)
      const before = kit.sent.length
      await bot.stop()
      expect(bodies(kit.sent.slice(before))).toHaveLength(SENDERS.length)
    })
  })
})

describe('owns()', () => {
  const ownedBy = (owner: string) => SENDERS.map((from) => from.split('/')[0] as string).filter((key) => ownerAmong(key, [BOT, SIBLING]) === owner)

  async function joining(withSibling: boolean): Promise<FormationScene> {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] })
    const scene = new FormationScene(createBot({ env: {} }))
    if (withSibling) scene.running.add(SIBLING)
    scene.online()
    if (withSibling) await scene.sibling(SIBLING, 'active')
    await scene.passes(200)
    expect(scene.ownPresence().state).toBe('joining')
    return scene
  }

  it('while it joins alone, owns every conversation (what durable jobs ask as they are read at start)', async () => {
    const scene = await joining(false)
    expect(SENDERS.every((from) => scene.bot.formation.owns(from))).toBe(true)
  })

  it('while it joins siblings that take work, owns nothing; then its share', async () => {
    const scene = await joining(true)
    expect(SENDERS.some((from) => scene.bot.formation.owns(from))).toBe(false)
    await scene.passes(5_000)
    expect(scene.ownPresence().state).toBe('active')
    expect(ownedBy(BOT).every((key) => scene.bot.formation.owns(key))).toBe(true)
    expect(ownedBy(SIBLING).some((key) => scene.bot.formation.owns(key))).toBe(false)
  })
})
