import { createBot, type MessageContext, xml } from 'natter'
import { testKit } from 'natter/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'

const TEAM = 'team@conference.example.org'
const CAROL = { nick: 'carol', jid: 'carol@example.org/laptop', role: 'moderator', affiliation: 'admin' } as const

afterEach(() => {
  vi.useRealTimers()
})

describe('a room on the kit', () => {
  it('is joined from XMPP_ROOMS when the bot comes online, with the occupants set up for it', async () => {
    const bot = createBot({ env: { XMPP_ROOMS: `${TEAM}/helper` } })
    await testKit(bot, { rooms: { [TEAM]: { occupants: [CAROL, 'dave'], subject: 'Release day' } } })
    expect(bot.rooms.list()).toEqual([TEAM])
    expect(bot.rooms.nick(TEAM)).toBe('helper')
    expect(bot.rooms.subject(TEAM)).toBe('Release day')
    expect(bot.rooms.occupants(TEAM)).toEqual([
      { nick: 'carol', jid: 'carol@example.org/laptop', role: 'moderator', affiliation: 'admin', show: undefined, status: undefined },
      { nick: 'dave', jid: 'dave@example.org/test', role: 'participant', affiliation: 'none', show: undefined, status: undefined },
      { nick: 'helper', jid: 'bot@example.org/natter', role: 'participant', affiliation: 'none', show: undefined, status: undefined },
    ])
  })

  it("is created by the bot's join when nobody set it up, as a MUC service does, and configured by natter", async () => {
    const bot = createBot({ rooms: [TEAM] })
    const kit = await testKit(bot)
    expect(bot.rooms.list()).toEqual([TEAM])
    const config = kit.sent.find((s) => s.name === 'iq' && s.attrs.to === TEAM)
    expect(config?.getChild('query', 'http://jabber.org/protocol/muc#owner')).toBeDefined()
    expect(bot.rooms.occupants(TEAM).map((o) => [o.nick, o.role, o.affiliation])).toEqual([['bot', 'moderator', 'owner']])
  })

  it('answers bot.rooms.join() with the occupants and the self-presence', async () => {
    const bot = createBot()
    const kit = await testKit(bot)
    const room = await kit.room(TEAM, { occupants: [CAROL] })
    expect(room.botNick).toBe('bot')
    await bot.rooms.join('other@conference.example.org', { nick: 'natter' })
    expect(bot.rooms.list().sort()).toEqual(['other@conference.example.org', TEAM])
  })

  it('passes on groupchat, and the bot answers mentions in the room', async () => {
    const bot = createBot()
    bot.message({ type: 'groupchat', mentioned: true }, (msg) => msg.reply(`${msg.nick}: yes?`))
    const kit = await testKit(bot)
    const room = await kit.room(TEAM, { occupants: [CAROL] })
    expect(await room.say('carol', 'bot, are you there?')).toEqual(['carol: yes?'])
    expect(await room.say('carol', 'anyone?')).toEqual([])
    expect(room.messages).toEqual(['carol: yes?'])
    expect(room.messages.recipients).toEqual([TEAM])
  })

  it('gives room messages the real JID, so per-user state survives a nick change and cannot be borrowed', async () => {
    const bot = createBot()
    const counts = new Map<string, number>()
    bot.message({ type: 'groupchat', body: 'count' }, (msg) => {
      const who = msg.realJid ?? 'nobody'
      counts.set(who, (counts.get(who) ?? 0) + 1)
      return msg.reply(`${msg.nick}: ${counts.get(who)}`)
    })
    const kit = await testKit(bot)
    const room = await kit.room(TEAM, { occupants: [CAROL, { nick: 'mallory', jid: 'mallory@example.net/x' }] })
    expect(await room.say('carol', 'count')).toEqual(['carol: 1'])
    await room.rename('carol', 'caroline')
    expect(await room.say('caroline', 'count')).toEqual(['caroline: 2'])
    await room.rename('mallory', 'carol')
    expect(await room.say('carol', 'count')).toEqual(['carol: 1'])
    expect(
      bot.rooms
        .occupants(TEAM)
        .map((o) => o.nick)
        .sort(),
    ).toEqual(['bot', 'carol', 'caroline'])
  })

  it('hides real JIDs in a semi-anonymous room from a bot that is no moderator', async () => {
    const bot = createBot()
    let realJid: string | undefined = 'unset'
    bot.message({ type: 'groupchat' }, (msg) => {
      realJid = msg.realJid
    })
    const kit = await testKit(bot)
    const room = await kit.room(TEAM, { occupants: [CAROL], anonymous: true })
    await room.say('carol', 'hello')
    expect(realJid).toBeUndefined()
  })

  it('replays history on join, which handlers see only when they ask for it', async () => {
    const seen = async (roomHistory: boolean): Promise<Array<[string | undefined, boolean]>> => {
      const bot = createBot({ receive: { roomHistory } })
      const got: Array<[string | undefined, boolean]> = []
      bot.message({ type: 'groupchat', body: true }, (msg: MessageContext) => {
        got.push([msg.body, msg.delayed])
      })
      const kit = await testKit(bot)
      await kit.room(TEAM, { occupants: ['carol'], history: [{ nick: 'carol', body: 'earlier', at: new Date('2024-05-01T10:00:00Z') }] })
      return got
    }
    expect(await seen(false)).toEqual([])
    expect(await seen(true)).toEqual([['earlier', true]])
  })

  it("follows the bot's own nick change", async () => {
    const bot = createBot()
    const kit = await testKit(bot)
    const room = await kit.room(TEAM, { occupants: ['carol'] })
    await bot.rooms.join(TEAM, { nick: 'helper' })
    expect(room.botNick).toBe('helper')
    expect(bot.rooms.nick(TEAM)).toBe('helper')
    expect(
      bot.rooms
        .occupants(TEAM)
        .map((o) => o.nick)
        .sort(),
    ).toEqual(['carol', 'helper'])
  })

  it('refuses a nick that is taken, and a wrong password', async () => {
    const bot = createBot()
    const kit = await testKit(bot, { rooms: { [TEAM]: { occupants: ['carol'], password: 's3cret' } } })
    await expect(bot.rooms.join(TEAM, { nick: 'carol', password: 's3cret' })).rejects.toMatchObject({ condition: 'conflict' })
    await expect(bot.rooms.join(TEAM, { nick: 'natter', password: 'wrong' })).rejects.toMatchObject({ condition: 'not-authorized' })
    await bot.rooms.join(TEAM, { nick: 'natter', password: 's3cret' })
    await kit.settle()
    expect(bot.rooms.list()).toEqual([TEAM])
  })

  it('kicks the bot, which natter rejoins after a pause, under fake timers', async () => {
    vi.useFakeTimers()
    const bot = createBot()
    const kit = await testKit(bot)
    const room = await kit.room(TEAM, { occupants: ['carol'] })
    await room.kick(undefined, 'spam')
    expect(bot.rooms.list()).toEqual([])
    expect(room.botNick).toBeUndefined()
    await vi.advanceTimersByTimeAsync(10_000)
    await kit.settle()
    expect(bot.rooms.list()).toEqual([TEAM])
    expect(room.botNick).toBe('bot')
  })

  it('tells the bot about occupants who come, leave and are kicked', async () => {
    const bot = createBot()
    const kit = await testKit(bot)
    const room = await kit.room(TEAM, { occupants: ['carol'] })
    await room.join({ nick: 'erin', jid: 'erin@example.org/phone', role: 'visitor' })
    expect(bot.rooms.occupants(TEAM).find((o) => o.nick === 'erin')).toMatchObject({ jid: 'erin@example.org/phone', role: 'visitor' })
    await room.leave('erin')
    await room.kick('carol')
    expect(bot.rooms.occupants(TEAM).map((o) => o.nick)).toEqual(['bot'])
    await expect(room.say('carol', 'still here?')).rejects.toThrow(/carol is not in/)
  })

  it('lets a moderator bot kick an occupant', async () => {
    const bot = createBot()
    const kit = await testKit(bot)
    const room = await kit.room(TEAM, { occupants: ['carol'], bot: { role: 'moderator' } })
    await bot.request({
      to: TEAM,
      type: 'set',
      payload: xmlKick('carol'),
    })
    await kit.settle()
    expect(room.occupants).toEqual([])
    expect(bot.rooms.occupants(TEAM).map((o) => o.nick)).toEqual(['bot'])
  })

  it('adds the occupants named for a room the bot is in already', async () => {
    const bot = createBot({ rooms: [TEAM] })
    const kit = await testKit(bot)
    const room = await kit.room(TEAM, { occupants: [CAROL] })
    expect(room.occupants.map((o) => o.nick)).toEqual(['carol'])
    expect(
      bot.rooms
        .occupants(TEAM)
        .map((o) => o.nick)
        .sort(),
    ).toEqual(['bot', 'carol'])
    await expect(kit.room(TEAM, { subject: 'late' })).rejects.toThrow(/exists already/)
  })

  it('learns a subject an occupant sets', async () => {
    const bot = createBot()
    const kit = await testKit(bot)
    const room = await kit.room(TEAM, { occupants: ['carol'] })
    await room.setSubject('carol', 'Deploy at 5')
    expect(bot.rooms.subject(TEAM)).toBe('Deploy at 5')
  })

  it('is left on shutdown', async () => {
    const bot = createBot()
    const kit = await testKit(bot)
    const room = await kit.room(TEAM, { occupants: ['carol'] })
    await bot.stop()
    expect(room.botNick).toBeUndefined()
    expect(kit.sent.at(-1)?.attrs).toEqual({ type: 'unavailable' })
  })
})

function xmlKick(nick: string) {
  return xml('query', { xmlns: 'http://jabber.org/protocol/muc#admin' }, xml('item', { nick, role: 'none' }))
}
