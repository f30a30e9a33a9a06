import { createBot, xml } from 'natter'
import { TestChat, testKit } from 'natter/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ownerAmong } from '../../../src/plugins/formation/members.js'
import { FormationScene, formationScene, SENDERS } from '../../support/formation-scene.js'
import { BOT, roomPresence, testBot } from '../../support/unit.js'

const SIBLING = 'bot@example.org/bot.2.bbbb'

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe('bot.contacts', () => {
  it('tells who is online, with the show and status of the resource with the highest priority', async () => {
    const bot = createBot({ env: {} })
    const kit = await testKit(bot)
    await kit.contact('alice@example.org/phone').available({ show: 'away', status: 'on the train', priority: 1 })
    await kit.contact('alice@example.org/laptop').available({ show: 'dnd', status: 'coding', priority: 5 })
    await kit.contact('bob@example.org/phone').available()
    expect(bot.contacts.online()).toEqual([
      { jid: 'alice@example.org', show: 'dnd', status: 'coding', priority: 5, resources: ['phone', 'laptop'] },
      { jid: 'bob@example.org', show: undefined, status: undefined, priority: 0, resources: ['phone'] },
    ])
    await kit.contact('alice@example.org/laptop').unavailable()
    expect(bot.contacts.get('alice@example.org/anything')).toMatchObject({ show: 'away', status: 'on the train', resources: ['phone'] })
    await kit.contact('alice@example.org/phone').unavailable()
    expect(bot.contacts.get('alice@example.org')).toBeUndefined()
    expect(bot.contacts.online().map((c) => c.jid)).toEqual(['bob@example.org'])
  })

  it('takes an error, or an unavailable presence from the bare JID, as the whole contact gone', async () => {
    const { bot, chat } = testBot()
    for (const resource of ['a', 'b']) {
      await chat.receive(xml('presence', { from: `alice@example.org/${resource}`, to: BOT }))
      await chat.receive(xml('presence', { from: `bob@example.org/${resource}`, to: BOT }))
    }
    await chat.receive(xml('presence', { from: 'alice@example.org', to: BOT, type: 'unavailable' }))
    await chat.receive(xml('presence', { from: 'bob@example.org/a', to: BOT, type: 'error' }))
    expect(bot.contacts.online()).toEqual([])
  })

  it("leaves out room occupants and the bot's own account, and lets their presence through to handlers", async () => {
    const { bot, chat } = testBot()
    const seen: string[] = []
    bot.presence((p) => {
      seen.push(p.from)
    })
    await chat.receive(roomPresence('team@conference.example.org/alice'))
    await chat.receive(xml('presence', { from: 'bot@example.org/phone', to: BOT }))
    expect(bot.contacts.online()).toEqual([])
    expect(seen).toEqual(['team@conference.example.org/alice', 'bot@example.org/phone'])
  })

  it('forgets everyone on a fresh session, to which the server sends every presence again', async () => {
    const bot = createBot({ env: {} })
    const chat = new (class extends TestChat {
      online(): void {
        this.comeOnline()
      }
    })(bot, { jid: BOT })
    chat.online()
    await chat.receive(xml('presence', { from: 'alice@example.org/phone', to: BOT }))
    expect(bot.contacts.online()).toHaveLength(1)
    chat.online()
    expect(bot.contacts.online()).toEqual([])
  })
})

describe('bot.contacts in a formation', () => {
  const ownedBy = (owner: string) => SENDERS.filter((from) => ownerAmong(from.split('/')[0] as string, [BOT, SIBLING]) === owner)

  it("knows every contact's presence, while handlers run only for this process's share", async () => {
    const scene = await formationScene()
    const handled: string[] = []
    scene.bot.presence((p) => {
      handled.push(p.from)
    })
    scene.running.add(SIBLING)
    await scene.sibling(SIBLING, 'active')
    await scene.passes(1_000)
    expect(scene.bot.formation.members()).toEqual([SIBLING, BOT].sort())
    for (const from of SENDERS) await scene.receive(xml('presence', { from, to: BOT }, xml('show', {}, 'chat')))
    expect(scene.bot.contacts.online().map((c) => `${c.jid}/${c.resources.join()}`)).toEqual(SENDERS.slice().sort())
    expect(scene.bot.contacts.online().every((c) => c.show === 'chat')).toBe(true)
    expect(handled.sort()).toEqual(ownedBy(BOT).sort())
    expect(handled.length).toBeLessThan(SENDERS.length)
    expect(await scene.round()).toEqual(ownedBy(BOT))
  })

  it('applies presences as they arrive, while joining holds them from handlers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] })
    const scene = new FormationScene(createBot({ env: {} }))
    scene.running.add(SIBLING)
    scene.online()
    await scene.sibling(SIBLING, 'active')
    await scene.passes(200)
    expect(scene.ownPresence().state).toBe('joining')
    await scene.receive(xml('presence', { from: 'alice@example.org/phone', to: BOT }))
    expect(scene.bot.contacts.get('alice@example.org')).toBeDefined()
    await scene.receive(xml('presence', { from: 'alice@example.org/phone', to: BOT, type: 'unavailable' }))
    await scene.passes(6_000)
    expect(scene.ownPresence().state).toBe('active')
    expect(scene.bot.contacts.get('alice@example.org')).toBeUndefined()
  })
})
