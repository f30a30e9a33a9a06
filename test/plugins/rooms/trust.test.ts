import { Writable } from 'node:stream'
import { type Bot, type BotOptions, ConfigError, xml } from 'natter'
import type { TestChat } from 'natter/testing'
import { describe, expect, it } from 'vitest'
import { RoomTrust } from '../../../src/plugins/rooms/trust.js'
import { BOT, message, roomPresence, settle, testBot } from '../../support/unit.js'

const OWN_ROOM = 'lobby@conference.example.org'
const FOREIGN_ROOM = 'lobby@muc.attacker.example'
const NS_ITEMS = 'http://jabber.org/protocol/disco#items'

/** Joins `room` as natter, then lets carol in, claiming to be the admin. */
async function joinWithCarol(bot: Bot, chat: TestChat, room: string): Promise<void> {
  const joined = bot.rooms.join(room, { nick: 'natter' })
  await chat.receive(roomPresence(`${room}/natter`, { self: true, jid: BOT }))
  await joined
  await chat.receive(roomPresence(`${room}/carol`, { jid: 'boss@example.org/desk' }))
}

/** The real JID handlers see on a message from carol in `room`. */
async function realJidInRoom(room: string, options: BotOptions = {}): Promise<string | undefined> {
  const { bot, chat } = testBot(options)
  let seen: string | undefined = 'not seen'
  bot.message({ type: 'groupchat' }, (msg) => {
    seen = msg.realJid
  })
  await joinWithCarol(bot, chat, room)
  await chat.say(`${room}/carol`, 'hello', 'groupchat')
  return seen
}

describe('real JIDs in rooms', () => {
  it("are believed from the bot's own server and its subdomains", async () => {
    expect(await realJidInRoom(OWN_ROOM)).toBe('boss@example.org/desk')
    expect(await realJidInRoom('lobby@example.org')).toBe('boss@example.org/desk')
  })

  it('are ignored from any other service: realJid is undefined there, and occupants show no JID', async () => {
    expect(await realJidInRoom(FOREIGN_ROOM)).toBeUndefined()
    const { bot, chat } = testBot()
    await joinWithCarol(bot, chat, FOREIGN_ROOM)
    expect(bot.rooms.occupants(FOREIGN_ROOM).map((o) => o.jid)).toEqual([undefined, undefined])
  })

  it("never make a foreign room's nick an admin", async () => {
    const { bot, chat } = testBot({ admins: ['boss@example.org'], commandPrefix: '!' })
    bot.command('restart', { description: 'Restarts', admin: true }, (cmd) => cmd.reply('restarting'))
    await joinWithCarol(bot, chat, FOREIGN_ROOM)
    expect(await chat.say(`${FOREIGN_ROOM}/carol`, '!restart', 'groupchat')).toEqual(['Sorry, only admins may use restart.'])
  })

  it('are believed from services configured as trusted, in code or in XMPP_TRUSTED_ROOM_SERVICES', async () => {
    expect(await realJidInRoom(FOREIGN_ROOM, { trustedRoomServices: ['muc.attacker.example'] })).toBe('boss@example.org/desk')
    expect(await realJidInRoom(FOREIGN_ROOM, { env: { XMPP_TRUSTED_ROOM_SERVICES: 'other.example, MUC.Attacker.Example' } })).toBe('boss@example.org/desk')
  })

  it('are believed from the services of the rooms configured to join', async () => {
    expect(await realJidInRoom(FOREIGN_ROOM, { rooms: ['team@muc.attacker.example/helper'] })).toBe('boss@example.org/desk')
  })

  it('refuse a trusted service that is not a domain', () => {
    expect(() => testBot({ env: { XMPP_TRUSTED_ROOM_SERVICES: 'room@conference.example.org' } })).toThrow(ConfigError)
  })

  it('logs once per room that its service is not trusted', async () => {
    const lines: string[] = []
    const logDestination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const { bot, chat } = testBot({ logLevel: 'info', logDestination })
    await joinWithCarol(bot, chat, FOREIGN_ROOM)
    await chat.receive(roomPresence(`${FOREIGN_ROOM}/dave`, { jid: 'dave@example.org/x' }))
    expect(lines.filter((l) => l.includes('room service not trusted'))).toHaveLength(1)
  })

  it('are captured as the message arrives, though middleware delays the handler and the nick changes hands meanwhile', async () => {
    const { bot, chat } = testBot()
    let release = (): void => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    bot.use(async (ctx, next) => {
      if (ctx.kind === 'message') await held
      return next()
    })
    const seen: Array<string | undefined> = []
    bot.message({ type: 'groupchat', body: true }, (msg) => {
      seen.push(msg.realJid)
    })
    await joinWithCarol(bot, chat, OWN_ROOM)
    const pending = chat.receive(message({ from: `${OWN_ROOM}/carol`, type: 'groupchat' }, 'restart the service'))
    await settle()
    // The boss leaves; mallory takes the nick before the handler runs.
    void chat.receive(roomPresence(`${OWN_ROOM}/carol`, { type: 'unavailable' }))
    void chat.receive(roomPresence(`${OWN_ROOM}/carol`, { jid: 'mallory@example.org/y' }))
    await settle()
    expect(bot.rooms.occupants(OWN_ROOM).find((o) => o.nick === 'carol')?.jid).toBe('mallory@example.org/y')
    release()
    await pending
    expect(seen).toEqual(['boss@example.org/desk'])
  })
})

describe('RoomTrust', () => {
  it("trusts the services the bot's server lists", async () => {
    const { bot, chat } = testBot()
    const trust = new RoomTrust(() => BOT)
    expect(trust.trusts('room@chat.example.net')).toBe(false)
    const discovered = trust.discover(bot)
    const request = chat.sent.at(-1)
    expect(request?.attrs).toMatchObject({ to: 'example.org', type: 'get' })
    expect(request?.getChild('query', NS_ITEMS)).toBeDefined()
    await chat.receive(
      xml(
        'iq',
        { from: 'example.org', type: 'result', id: request?.attrs.id },
        xml('query', { xmlns: NS_ITEMS }, xml('item', { jid: 'chat.example.net', name: 'Chatrooms' }), xml('item', { jid: 'upload.example.org' })),
      ),
    )
    await discovered
    expect(trust.trusts('room@chat.example.net')).toBe(true)
    expect(trust.trusts('room@other.example.net')).toBe(false)
  })

  it("does not take a subdomain lookalike for the bot's own server", () => {
    const trust = new RoomTrust(() => BOT)
    expect(trust.trusts('room@evilexample.org')).toBe(false)
    expect(trust.trusts('room@example.org.attacker.example')).toBe(false)
    expect(trust.trusts('not a jid')).toBe(false)
  })
})
