import { type Bot, StanzaError, xml } from 'natter'
import type { TestChat } from 'natter/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BOT, message, roomPresence, testBot } from '../../support/unit.js'

const ROOM = 'lobby@conference.example.org'
const NS_MUC = 'http://jabber.org/protocol/muc'
const NS_MUC_OWNER = 'http://jabber.org/protocol/muc#owner'
const delay = () => xml('delay', { xmlns: 'urn:xmpp:delay', stamp: '2024-05-01T10:00:00Z', from: ROOM })

/** Starts a join and answers it with the room's self-presence for `nick`. */
async function join(bot: Bot, chat: TestChat, nick = 'natter', codes: string[] = []): Promise<void> {
  const joined = bot.rooms.join(ROOM, { nick })
  await chat.receive(roomPresence(`${ROOM}/${nick}`, { self: true, jid: BOT, codes }))
  await joined
}

afterEach(() => {
  vi.useRealTimers()
})

describe('joining', () => {
  it('sends presence to room/nick with the MUC element, and resolves once the room lets the bot in', async () => {
    const { bot, chat } = testBot()
    const joined = bot.rooms.join(ROOM, { nick: 'natter', password: 's3cret' })
    let done = false
    void joined.then(() => (done = true))
    await chat.receive(roomPresence(`${ROOM}/carol`, { jid: 'carol@example.org/x' }))
    expect(done).toBe(false)
    await chat.receive(roomPresence(`${ROOM}/natter`, { self: true }))
    await joined
    const [presence] = chat.sent
    expect(presence?.attrs.to).toBe(`${ROOM}/natter`)
    expect(presence?.getChild('x', NS_MUC)?.getChildText('password')).toBe('s3cret')
    expect(bot.rooms.list()).toEqual([ROOM])
    expect(bot.rooms.nick(ROOM)).toBe('natter')
  })

  it('answers two joins of the same room with one knock on its door', async () => {
    const { bot, chat } = testBot()
    const first = bot.rooms.join(ROOM, { nick: 'natter' })
    const second = bot.rooms.join(ROOM, { nick: 'natter' })
    await chat.receive(roomPresence(`${ROOM}/natter`, { self: true }))
    await Promise.all([first, second])
    expect(chat.sent.filter((s) => s.name === 'presence' && s.attrs.to === `${ROOM}/natter`)).toHaveLength(1)
  })

  it("takes the local part of the bot's JID as the default nick", async () => {
    const { bot, chat } = testBot()
    const joined = bot.rooms.join(ROOM)
    expect(chat.sent.at(-1)?.attrs.to).toBe(`${ROOM}/bot`)
    await chat.receive(roomPresence(`${ROOM}/bot`, { self: true }))
    await joined
  })

  it('accepts a self-presence without status 110, by nick', async () => {
    const { bot, chat } = testBot()
    const joined = bot.rooms.join(ROOM, { nick: 'natter' })
    await chat.receive(roomPresence(`${ROOM}/natter`))
    await expect(joined).resolves.toBeUndefined()
  })

  it.each(['room@conference.example.org/nick', 'conference.example.org', 'not a jid'])('refuses %j, which is not a room JID', async (room) => {
    const { bot } = testBot()
    await expect(bot.rooms.join(room)).rejects.toThrow(TypeError)
  })

  it("rejects with the room's error, e.g. a wrong password", async () => {
    const { bot, chat } = testBot()
    const joined = bot.rooms.join(ROOM, { nick: 'natter' })
    await chat.receive(
      xml(
        'presence',
        { from: `${ROOM}/natter`, type: 'error' },
        xml('error', { type: 'auth' }, xml('not-authorized', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' })),
      ),
    )
    const error = await joined.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StanzaError)
    expect((error as StanzaError).condition).toBe('not-authorized')
    expect(bot.rooms.list()).toEqual([])
  })

  it('knocks again when the room is still locked by its creator, and gives up after a few tries', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { bot, chat } = testBot()
    const locked = (room: string) =>
      xml(
        'presence',
        { from: `${room}/natter`, type: 'error' },
        xml('error', { type: 'cancel' }, xml('item-not-found', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' })),
      )
    const joins = () => chat.sent.filter((s) => s.name === 'presence' && s.attrs.to === `${ROOM}/natter`).length
    const joined = bot.rooms.join(ROOM, { nick: 'natter' })
    await chat.receive(locked(ROOM))
    await vi.advanceTimersByTimeAsync(500)
    expect(joins()).toBe(2)
    await chat.receive(roomPresence(`${ROOM}/natter`, { self: true }))
    await joined
    expect(bot.rooms.list()).toEqual([ROOM])

    const other = 'other@conference.example.org'
    const refused = bot.rooms.join(other, { nick: 'natter' }).catch((e: unknown) => e)
    for (const wait of [500, 1000, 1500]) {
      await chat.receive(locked(other))
      await vi.advanceTimersByTimeAsync(wait)
    }
    await chat.receive(locked(other))
    expect(await refused).toMatchObject({ condition: 'item-not-found' })
  })

  it('gives up when the room does not answer in time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { bot } = testBot()
    const joined = bot.rooms.join(ROOM, { nick: 'natter', timeout: 5000 })
    const outcome = joined.catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(5000)
    const error = await outcome
    expect(error).toBeInstanceOf(StanzaError)
    expect((error as StanzaError).condition).toBe('remote-server-timeout')
  })

  it('configures a room it created as an instant room, so it is not left locked', async () => {
    const { bot, chat } = testBot()
    const joined = bot.rooms.join(ROOM, { nick: 'natter' })
    let done = false
    void joined.then(() => (done = true))
    const out = await chat.receive(roomPresence(`${ROOM}/natter`, { self: true, codes: ['201'], affiliation: 'owner', role: 'moderator' }))
    const request = out.find((s) => s.name === 'iq')
    expect(request?.attrs).toMatchObject({ to: ROOM, type: 'set' })
    const form = request?.getChild('query', NS_MUC_OWNER)?.getChild('x', 'jabber:x:data')
    expect(form?.attrs.type).toBe('submit')
    expect(done).toBe(false)
    await chat.receive(xml('iq', { from: ROOM, type: 'result', id: request?.attrs.id }))
    await joined
    expect(done).toBe(true)
  })
})

describe('occupants', () => {
  it("are tracked from the room's presence, and removed when they leave", async () => {
    const { bot, chat } = testBot()
    await join(bot, chat)
    const carol = roomPresence(`${ROOM}/carol`, { jid: 'carol@example.org/x', role: 'moderator', affiliation: 'admin' })
    carol.append(xml('show', {}, 'away'), xml('status', {}, 'lunch'))
    await chat.receive(carol)
    expect(bot.rooms.occupants(ROOM).find((o) => o.nick === 'carol')).toEqual({
      nick: 'carol',
      jid: 'carol@example.org/x',
      role: 'moderator',
      affiliation: 'admin',
      show: 'away',
      status: 'lunch',
    })
    await chat.receive(roomPresence(`${ROOM}/carol`, { type: 'unavailable' }))
    expect(bot.rooms.occupants(ROOM).map((o) => o.nick)).toEqual(['natter'])
  })

  it('are empty for a room the bot is not in', () => {
    const { bot } = testBot()
    expect(bot.rooms.occupants('elsewhere@conference.example.org')).toEqual([])
  })
})

describe('room messages', () => {
  it('from the bot itself never reach handlers', async () => {
    const { bot, chat } = testBot()
    const seen = vi.fn()
    bot.message(seen)
    await join(bot, chat)
    await chat.receive(message({ from: `${ROOM}/natter`, type: 'groupchat' }, 'my own words'))
    expect(seen).not.toHaveBeenCalled()
  })

  it('from the bot never reach handlers when the room changed its nick on join (status 210)', async () => {
    const { bot, chat } = testBot()
    const seen = vi.fn()
    bot.message(seen)
    const joined = bot.rooms.join(ROOM, { nick: 'natter' })
    await chat.receive(roomPresence(`${ROOM}/natter-2`, { self: true, codes: ['210'] }))
    await joined
    expect(bot.rooms.nick(ROOM)).toBe('natter-2')
    await chat.receive(message({ from: `${ROOM}/natter-2`, type: 'groupchat' }, 'my own words'))
    expect(seen).not.toHaveBeenCalled()
  })

  it("mark mentions of the bot's nick as a word of its own", async () => {
    const { bot, chat } = testBot()
    const mentioned: boolean[] = []
    bot.message({ type: 'groupchat' }, (msg) => {
      mentioned.push(msg.mentioned)
    })
    await join(bot, chat)
    for (const body of ['hey Natter, look', 'natter', 'natterbot is here', 'nothing']) {
      await chat.receive(message({ from: `${ROOM}/carol`, type: 'groupchat' }, body))
    }
    expect(mentioned).toEqual([true, true, false, false])
  })

  it('can be guarded on mentions', async () => {
    const { bot, chat } = testBot()
    bot.message({ type: 'groupchat', mentioned: true }, (msg) => msg.reply(`${msg.nick}: yes?`))
    await join(bot, chat)
    expect(await chat.say(`${ROOM}/carol`, 'natter?', 'groupchat')).toEqual(['carol: yes?'])
    expect(await chat.say(`${ROOM}/carol`, 'anyone?', 'groupchat')).toEqual([])
  })
})

describe('the subject', () => {
  it('is learnt from the room', async () => {
    const { bot, chat } = testBot()
    await join(bot, chat)
    await chat.receive(xml('message', { from: `${ROOM}/carol`, type: 'groupchat' }, xml('subject', {}, 'Release day')))
    expect(bot.rooms.subject(ROOM)).toBe('Release day')
  })

  it('is learnt on join, where the room sends it delayed like history', async () => {
    const { bot, chat } = testBot()
    await join(bot, chat)
    await chat.receive(xml('message', { from: `${ROOM}/carol`, type: 'groupchat' }, xml('subject', {}, 'Old topic'), delay()))
    expect(bot.rooms.subject(ROOM)).toBe('Old topic')
  })

  it('is learnt when the bot set it itself', async () => {
    const { bot, chat } = testBot()
    await join(bot, chat)
    await chat.receive(xml('message', { from: `${ROOM}/natter`, type: 'groupchat' }, xml('subject', {}, 'Set by the bot')))
    expect(bot.rooms.subject(ROOM)).toBe('Set by the bot')
  })

  it('is not taken from messages of rooms the bot is not in', async () => {
    const { bot, chat } = testBot()
    await chat.receive(xml('message', { from: `${ROOM}/carol`, type: 'groupchat' }, xml('subject', {}, 'x')))
    expect(bot.rooms.subject(ROOM)).toBeUndefined()
  })
})

describe('leaving', () => {
  it('sends unavailable presence with the status, and forgets the room', async () => {
    const { bot, chat } = testBot()
    await join(bot, chat)
    await bot.rooms.leave(ROOM, 'bye')
    const presence = chat.sent.at(-1)
    expect(presence?.attrs).toEqual({ to: `${ROOM}/natter`, type: 'unavailable' })
    expect(presence?.getChildText('status')).toBe('bye')
    expect(bot.rooms.list()).toEqual([])
  })

  it('does nothing for a room the bot is not in', async () => {
    const { bot, chat } = testBot()
    await bot.rooms.leave(ROOM)
    expect(chat.sent).toEqual([])
  })

  it('leaveAll() leaves every room', async () => {
    const { bot, chat } = testBot()
    await join(bot, chat)
    await bot.rooms.leaveAll()
    expect(bot.rooms.list()).toEqual([])
  })
})

describe('being removed', () => {
  it('by a kick makes the bot rejoin after a pause', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { bot, chat } = testBot()
    await join(bot, chat)
    await chat.receive(roomPresence(`${ROOM}/natter`, { self: true, type: 'unavailable', codes: ['307'] }))
    expect(bot.rooms.list()).toEqual([])
    const before = chat.sent.length
    await vi.advanceTimersByTimeAsync(10_000)
    const rejoin = chat.sent.slice(before).find((s) => s.name === 'presence')
    expect(rejoin?.attrs.to).toBe(`${ROOM}/natter`)
    expect(rejoin?.getChild('x', NS_MUC)).toBeDefined()
    await chat.receive(roomPresence(`${ROOM}/natter`, { self: true }))
    expect(bot.rooms.list()).toEqual([ROOM])
  })

  it("by a ban or the room's end makes the bot forget the room", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { bot, chat } = testBot()
    await join(bot, chat)
    await chat.receive(roomPresence(`${ROOM}/natter`, { self: true, type: 'unavailable', codes: ['301'] }))
    const before = chat.sent.length
    await vi.advanceTimersByTimeAsync(60_000)
    expect(chat.sent.length).toBe(before)
    expect(bot.rooms.nick(ROOM)).toBeUndefined()
  })
})

describe('changing nick', () => {
  it('by joining again keeps the room, under the new nick', async () => {
    const { bot, chat } = testBot()
    await join(bot, chat)
    const rejoined = bot.rooms.join(ROOM, { nick: 'natter2' })
    // The room announces the change: the old nick leaves with 303, the new one arrives.
    await chat.receive(roomPresence(`${ROOM}/natter`, { self: true, type: 'unavailable', codes: ['303'] }))
    await chat.receive(roomPresence(`${ROOM}/natter2`, { self: true }))
    await rejoined
    expect(bot.rooms.list()).toEqual([ROOM])
    expect(bot.rooms.nick(ROOM)).toBe('natter2')
    expect(bot.rooms.occupants(ROOM).map((o) => o.nick)).toEqual(['natter2'])
  })
})

describe('say', () => {
  it('sends a groupchat message to the room', async () => {
    const { bot, chat } = testBot()
    await bot.rooms.say(ROOM, 'hello room')
    // Every message the bot sends has an id, which replies and reactions refer to.
    expect(chat.sent[0]?.attrs).toEqual({ to: ROOM, type: 'groupchat', id: expect.any(String) })
    expect(chat.sent[0]?.getChildText('body')).toBe('hello room')
  })
})

describe('a subject with a body', () => {
  it('is a message, not a subject change', async () => {
    const { bot, chat } = testBot()
    await join(bot, chat)
    await chat.receive(xml('message', { from: `${ROOM}/carol`, type: 'groupchat' }, xml('subject', {}, 'Topic'), xml('body', {}, 'hello')))
    expect(bot.rooms.subject(ROOM)).toBeUndefined()
  })
})

describe('mentions', () => {
  it('are found past an earlier occurrence inside another word', async () => {
    const { bot, chat } = testBot()
    const mentioned: boolean[] = []
    bot.message({ type: 'groupchat' }, (msg) => {
      mentioned.push(msg.mentioned)
    })
    await join(bot, chat)
    await chat.receive(message({ from: `${ROOM}/carol`, type: 'groupchat' }, 'natterbot is down, ask natter'))
    expect(mentioned).toEqual([true])
  })
})
