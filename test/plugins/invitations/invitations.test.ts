import { type BotOptions, createBot, xml } from 'natter'
import { testKit } from 'natter/testing'
import { describe, expect, it } from 'vitest'
import { redactedXml } from '../../../src/wire/redact.js'

const ROOM = 'team@conference.example.org'

function build(options: BotOptions = {}) {
  return () => createBot({ env: {}, admins: ['ops@example.org'], ...options })
}

describe('invitations', () => {
  it('hand both forms to bot.invitation() with room, inviter, reason and password', async () => {
    const bot = build()()
    const seen: Array<[string, string, string | undefined, string | undefined, string]> = []
    bot.invitation((invite) => {
      seen.push([invite.room, invite.from, invite.reason, invite.password, invite.form])
    })
    const kit = await testKit(bot)
    await kit.contact('alice@example.org').invite(ROOM, { reason: 'standup', password: 's3cret' })
    await kit.contact('bob@example.org').invite('other@conference.example.org', { mediated: true, reason: 'hi', password: 'pw' })
    expect(seen).toEqual([
      [ROOM, 'alice@example.org/test', 'standup', 's3cret', 'direct'],
      ['other@conference.example.org', 'bob@example.org/test', 'hi', 'pw', 'mediated'],
    ])
  })

  it('are not chat messages', async () => {
    const bot = build()()
    const chats: string[] = []
    bot.message((msg) => {
      chats.push(msg.from)
    })
    const kit = await testKit(bot)
    await kit.contact('alice@example.org').invite(ROOM)
    expect(chats).toEqual([])
  })

  it('are accepted by a handler: the bot joins with the password and remembers the room across a restart', async () => {
    const make = () => {
      const bot = build()()
      bot.invitation({ room: ROOM }, (invite) => invite.accept({ nick: 'helper' }))
      return bot
    }
    let bot = make()
    const kit = await testKit(() => (bot = make()))
    const out = await kit.contact('alice@example.org').invite(ROOM, { password: 'pw' })
    const join = out.find((s) => s.name === 'presence')
    expect(join?.attrs.to).toBe(`${ROOM}/helper`)
    expect(join?.getChild('x')?.getChildText('password')).toBe('pw')
    expect(bot.rooms.list()).toEqual([ROOM])
    expect(await bot.invitations.remembered()).toEqual([ROOM])
    await kit.restart()
    expect(bot.rooms.list()).toEqual([ROOM])
    expect(bot.rooms.nick(ROOM)).toBe('helper')
    await bot.invitations.forget(ROOM)
    expect(bot.rooms.list()).toEqual([])
    await kit.restart()
    expect(bot.rooms.list()).toEqual([])
  })

  it('are declined through the room when mediated', async () => {
    const bot = build()()
    bot.invitation((invite) => invite.decline('busy'))
    const kit = await testKit(bot)
    const out = await kit.contact('alice@example.org').invite(ROOM, { mediated: true })
    const decline = out.find((s) => s.name === 'message')
    expect(decline?.attrs.to).toBe(ROOM)
    expect(decline?.getChild('x')?.getChild('decline')?.attrs.to).toBe('alice@example.org/test')
    expect(decline?.getChild('x')?.getChild('decline')?.getChildText('reason')).toBe('busy')
  })

  it('are left alone by default', async () => {
    const bot = build()()
    const kit = await testKit(bot, { roster: [{ jid: 'alice@example.org', subscription: 'both' }] })
    await kit.contact('alice@example.org').invite(ROOM)
    expect(bot.rooms.list()).toEqual([])
  })

  it("follow the contacts policy: a contact's are accepted, a stranger's are not", async () => {
    const bot = build({ rooms: { acceptInvites: 'contacts' } })()
    const kit = await testKit(bot, { roster: [{ jid: 'alice@example.org', subscription: 'both' }] })
    await kit.contact('mallory@example.net').invite('evil@conference.example.org')
    expect(bot.rooms.list()).toEqual([])
    await kit.contact('alice@example.org').invite(ROOM)
    expect(bot.rooms.list()).toEqual([ROOM])
  })

  it('follow the admins policy from XMPP_ACCEPT_INVITES', async () => {
    const bot = createBot({ env: { XMPP_ACCEPT_INVITES: 'admins' }, admins: ['ops@example.org'] })
    const kit = await testKit(bot, { roster: [{ jid: 'alice@example.org', subscription: 'both' }] })
    await kit.contact('alice@example.org').invite('a@conference.example.org')
    expect(bot.rooms.list()).toEqual([])
    await kit.contact('ops@example.org').invite(ROOM, { mediated: true })
    expect(bot.rooms.list()).toEqual([ROOM])
  })

  it('mediated by a room service not trusted, do not count as an admin’s', async () => {
    const bot = build({ rooms: { acceptInvites: 'admins' } })()
    const kit = await testKit(bot)
    await kit.contact('ops@example.org').invite('trap@muc.example.net', { mediated: true })
    expect(bot.rooms.list()).toEqual([])
  })

  it('keep rooms.join working beside the policy', async () => {
    const bot = createBot({ env: {}, rooms: { join: [`${ROOM}/greeter`], acceptInvites: false } })
    await testKit(bot)
    expect(bot.rooms.nick(ROOM)).toBe('greeter')
  })

  it('never show the password in a debug log line', () => {
    const direct = xml('message', { from: 'alice@example.org/a' }, xml('x', { xmlns: 'jabber:x:conference', jid: ROOM, password: 'hunter2' }))
    const mediated = xml(
      'message',
      { from: ROOM },
      xml('x', { xmlns: 'http://jabber.org/protocol/muc#user' }, xml('invite', { from: 'alice@example.org' }), xml('password', {}, 'hunter2')),
    )
    expect(redactedXml(direct)).not.toContain('hunter2')
    expect(redactedXml(mediated)).not.toContain('hunter2')
    expect(redactedXml(direct)).toContain(ROOM)
  })

  it('refuse an unknown XMPP_ACCEPT_INVITES, naming it', async () => {
    const bot = createBot({ env: { JID: 'bot@example.org', JPASSWORD: 'pw', XMPP_ACCEPT_INVITES: 'everyone' } })
    await expect(bot.start()).rejects.toThrow(/^XMPP_ACCEPT_INVITES: unknown policy "everyone"/)
  })
})
