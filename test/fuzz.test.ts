// Thousands of generated hostile stanzas through the test kit: the bot must answer every IQ request,
// never answer an error or a room with a chat message, never throw, and keep its memory bounded.
// FUZZ_SEED=<n> replays a run; a failure names its seed and the stanza.

import { type Bot, type BotOptions, type XmlElement, xml } from 'natter'
import type { TestChat } from 'natter/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { redact } from '../src/wire/redact.js'
import { HostileStanzas, seeded } from './support/hostile.js'
import { BOT, roomPresence, testBot } from './support/unit.js'

const SEED = Number(process.env.FUZZ_SEED ?? 20_240_601)
const ROOM = 'lobby@conference.example.org'

let rejections: unknown[] = []
const onRejection = (reason: unknown): void => {
  rejections.push(reason)
}
beforeEach(() => {
  rejections = []
  process.on('unhandledRejection', onRejection)
})
afterEach(() => {
  process.off('unhandledRejection', onRejection)
})

/** A bot with a bit of everything: commands, room handlers, IQ handlers (one that fails), middleware. */
async function fuzzBot(options: BotOptions): Promise<{ bot: Bot; chat: TestChat }> {
  const made = testBot({ admins: ['user1@example.org'], commandPrefix: '!', ...options })
  const { bot, chat } = made
  bot.catch(() => {})
  bot.use(async (ctx, next) => {
    if (ctx.kind === 'message' && ctx.stanza.getChild('thread') !== undefined) await Promise.resolve()
    return next()
  })
  bot.subscription({ type: 'subscribe' }, (request) => request.approve())
  bot.message({ type: 'groupchat', mentioned: true }, (msg) => msg.reply(`${msg.nick}: yes?`))
  bot.message({ type: 'headline' }, (msg) => msg.reply(`headline ${msg.body ?? ''}`))
  bot.iq({ type: 'get', xmlns: 'urn:example:unknown' }, (iq) => xml('query', { xmlns: iq.xmlns }, xml('from', {}, iq.from)))
  bot.iq({ type: 'set', xmlns: 'x' }, () => {
    throw new Error('a handler that fails')
  })
  bot.command('echo <text...>', 'Echoes', (cmd) => cmd.reply(cmd.args.text))
  bot.command('whoami', 'Who you are', (cmd) => cmd.reply(`${cmd.realJid ?? 'nobody'} ${bot.isAdmin(cmd.realJid)}`))
  bot.command('restart', { description: 'Restarts', admin: true }, (cmd) => cmd.reply('restarting'))
  const joined = bot.rooms.join(ROOM, { nick: 'natter' })
  await chat.receive(roomPresence(`${ROOM}/natter`, { self: true, jid: BOT }))
  await joined
  await chat.receive(roomPresence(`${ROOM}/carol`, { jid: 'user1@example.org/x' }))
  return made
}

/** Runs `count` stanzas from the generator through the bot and checks each answer. */
async function run(count: number, seed: number, options: BotOptions): Promise<{ sent: number; answered: number }> {
  const { chat } = await fuzzBot(options)
  const hostile = new HostileStanzas(seeded(seed), { bot: BOT, room: ROOM })
  let answered = 0
  for (let i = 0; i < count; i++) {
    const stanza = hostile.next()
    const where = (): string => `seed ${seed}, stanza #${i}: ${redact(stanza).slice(0, 300)}`
    let out: XmlElement[]
    try {
      out = await chat.receive(stanza)
    } catch (error) {
      throw new Error(`the test kit threw (${String(error)}); ${where()}`)
    }
    for (const sent of out) {
      expect(() => sent.toString(), where()).not.toThrow()
      if (sent.name === 'message' && sent.getChild('body') !== undefined) {
        expect(stanza.attrs.type, `a message answered an error; ${where()}`).not.toBe('error')
        expect(sent.attrs.type === 'chat' && sent.attrs.to === ROOM, `a chat message to a room; ${where()}`).toBe(false)
      }
    }
    const type = stanza.attrs.type
    if (stanza.name === 'iq' && type !== 'result' && type !== 'error') {
      const reply = out.at(-1)
      expect(reply?.name, `an IQ request got no reply; ${where()}`).toBe('iq')
      expect(['result', 'error'], where()).toContain(reply?.attrs.type)
      expect(reply?.attrs.id, where()).toBe(stanza.attrs.id)
      answered += 1
    }
  }
  return { sent: count, answered }
}

describe('hostile stanzas through the test kit', () => {
  it('with the default limits: no throw, every IQ request answered, nothing answered that must not be', async () => {
    const heapBefore = process.memoryUsage().heapUsed
    const { answered } = await run(3_000, SEED, {})
    expect(answered).toBeGreaterThan(300)
    expect(rejections).toEqual([])
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024)
  })

  it('with the limits off, so that every handler sees them', async () => {
    const { answered } = await run(1_500, SEED + 1, { limits: false })
    expect(answered).toBeGreaterThan(150)
    expect(rejections).toEqual([])
  })
})
