import { Writable } from 'node:stream'
import { type Bot, ConfigError, createBot, type XmlElement, xml } from 'natter'
import type { TestChat } from 'natter/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BotCore } from '../../../src/bot/bot-core.js'
import { DEFAULT_NOTICE } from '../../../src/plugins/limits/settings.js'
import { ALICE, BOT, bodies, errorCondition, message, roomPresence, settle, testBot } from '../../support/unit.js'

const BOB = 'bob@example.org/laptop'
const ROOM = 'lobby@conference.example.org'

afterEach(() => {
  vi.useRealTimers()
})

/** A bot that echoes chat messages, with the given limits; the rate given applies to strangers too unless they have their own. */
function echoBot(limits: NonNullable<Parameters<typeof testBot>[0]>['limits'], options: Parameters<typeof testBot>[0] = {}) {
  const forAll = limits ? { strangerRate: limits.rate, strangerBurst: limits.burst, ...limits } : limits
  const made = testBot({ ...options, limits: forAll })
  made.bot.message({ type: ['chat', 'normal', 'groupchat'], body: true }, (msg) => msg.reply(`echo ${msg.body}`))
  return made
}

/** Log lines at warn level and above, parsed. */
function warnings(): { logDestination: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = []
  return {
    logDestination: new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk))
        done()
      },
    }),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  }
}

/** Handlers that wait until released; once opened, they no longer wait. */
function gate(): { wait: () => Promise<void>; release: () => void; open: () => void; started: () => number } {
  let started = 0
  let open = false
  const waiting: Array<() => void> = []
  return {
    wait: () => {
      started += 1
      return open ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve))
    },
    release: () => {
      for (const resolve of waiting.splice(0)) resolve()
    },
    open: () => {
      open = true
      for (const resolve of waiting.splice(0)) resolve()
    },
    started: () => started,
  }
}

describe('the rate per sender', () => {
  it("lets a burst through, then drops the sender's messages with one notice", async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { chat } = echoBot({ burst: 3, rate: 1 })
    const answers: string[] = []
    for (let i = 1; i <= 6; i++) answers.push(...(await chat.say(ALICE, `m${i}`)))
    expect(answers).toEqual(['echo m1', 'echo m2', 'echo m3', DEFAULT_NOTICE])
    const notice = chat.sent.at(-1)
    expect(notice?.attrs).toMatchObject({ to: ALICE, type: 'chat' })
  })

  it('gives tokens back over time, less those its refused stanzas cost', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { chat } = echoBot({ burst: 2, rate: 1 })
    for (const body of ['a', 'b']) await chat.say(ALICE, body)
    vi.advanceTimersByTime(1_000)
    expect(await chat.say(ALICE, 'one more')).toEqual(['echo one more'])
    // Refused: the sender hears of it once, in a notice.
    expect(await chat.say(ALICE, 'too soon')).not.toContain('echo too soon')
    // The refused one cost a token too: a second is not enough to pay it back and earn another.
    vi.advanceTimersByTime(1_000)
    expect(await chat.say(ALICE, 'still in debt')).toEqual([])
    vi.advanceTimersByTime(3_000)
    expect(await chat.say(ALICE, 'after a pause')).toEqual(['echo after a pause'])
  })

  it('notices and logs a sender again only after the interval', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const log = warnings()
    const { chat } = echoBot({ burst: 1, rate: 0.01, noticeInterval: 60_000 }, { logLevel: 'warn', logDestination: log.logDestination })
    await chat.say(ALICE, 'in')
    for (let i = 0; i < 20; i++) await chat.say(ALICE, 'flood')
    expect(bodies(chat.sent).filter((b) => b === DEFAULT_NOTICE)).toHaveLength(1)
    expect(log.lines().filter((l) => String(l.msg).includes('over its rate limit'))).toEqual([
      expect.objectContaining({ sender: 'alice@example.org', kind: 'message', level: 40 }),
    ])
    vi.advanceTimersByTime(60_000)
    await chat.say(ALICE, 'in again')
    await chat.say(ALICE, 'flood again')
    expect(bodies(chat.sent).filter((b) => b === DEFAULT_NOTICE)).toHaveLength(2)
    expect(log.lines().filter((l) => String(l.msg).includes('over its rate limit'))).toHaveLength(2)
  })

  it('keeps other senders unaffected', async () => {
    const { chat } = echoBot({ burst: 2, rate: 0.01 })
    for (let i = 0; i < 10; i++) await chat.say(ALICE, 'flood')
    expect(await chat.say(BOB, 'hi')).toEqual(['echo hi'])
    expect(await chat.say(BOB, 'still there?')).toEqual(['echo still there?'])
  })

  it('counts all resources of a sender together', async () => {
    const { chat } = echoBot({ burst: 2, rate: 0.01 })
    expect(await chat.say('alice@example.org/a', 'one')).toEqual(['echo one'])
    expect(await chat.say('alice@example.org/b', 'two')).toEqual(['echo two'])
    expect(await chat.say('alice@example.org/c', 'three')).toEqual([DEFAULT_NOTICE])
  })

  it('answers IQ requests over the limit with policy-violation, every time', async () => {
    const { bot, chat } = testBot({ limits: { strangerBurst: 1, strangerRate: 0.01 } })
    bot.iq({ type: 'get', xmlns: 'urn:example:q' }, () => xml('q', { xmlns: 'urn:example:q' }))
    expect((await chat.iq(ALICE, 'get', xml('q', { xmlns: 'urn:example:q' }))).attrs.type).toBe('result')
    for (let i = 0; i < 3; i++) {
      const reply = await chat.iq(ALICE, 'get', xml('q', { xmlns: 'urn:example:q' }))
      expect(errorCondition(reply)).toBe('policy-violation')
      expect(reply.getChild('error')?.attrs.type).toBe('wait')
    }
    expect(bodies(chat.sent)).toEqual([])
  })

  it('never sends a notice for error messages, messages without a body, or presence', async () => {
    const { chat } = echoBot({ burst: 1, rate: 0.01 })
    await chat.say(ALICE, 'in')
    const out = [
      ...(await chat.receive(message({ type: 'error' }, 'bounced'))),
      ...(await chat.receive(message({}, undefined, xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' })))),
      ...(await chat.receive(xml('presence', { from: ALICE }))),
    ]
    expect(out).toEqual([])
  })

  it("sends a normal message's notice as a normal message", async () => {
    const { chat } = echoBot({ burst: 1, rate: 0.01 })
    await chat.say(ALICE, 'in', 'normal')
    const [notice] = await chat.receive(message({ type: 'normal' }, 'over'))
    expect(notice?.attrs.type).toBe('normal')
  })

  it('sends the notice given, or none', async () => {
    const custom = echoBot({ burst: 1, rate: 0.01, notice: 'Slow down, please.' })
    await custom.chat.say(ALICE, 'in')
    expect(await custom.chat.say(ALICE, 'over')).toEqual(['Slow down, please.'])
    const silent = echoBot({ burst: 1, rate: 0.01, notice: false })
    await silent.chat.say(ALICE, 'in')
    expect(await silent.chat.say(ALICE, 'over')).toEqual([])
  })

  it("never limits the bot's own server or account", async () => {
    const { bot, chat } = testBot({ limits: { burst: 1, rate: 0.01 } })
    const seen: string[] = []
    bot.message((msg) => {
      seen.push(msg.from)
    })
    for (let i = 0; i < 5; i++) {
      await chat.receive(xml('message', { from: 'example.org', type: 'headline' }, xml('body', {}, 'motd')))
      await chat.receive(xml('message', { from: 'bot@example.org/other', type: 'chat' }, xml('body', {}, 'from my other resource')))
    }
    expect(seen).toHaveLength(10)
  })

  it("runs before the bot's own middleware", async () => {
    const { bot, chat } = echoBot({ burst: 2, rate: 0.01 })
    let passed = 0
    bot.use((_ctx, next) => {
      passed += 1
      return next()
    })
    for (let i = 0; i < 5; i++) await chat.say(ALICE, 'x')
    expect(passed).toBe(2)
  })
})

describe('the rate in rooms', () => {
  async function joined(bot: Bot, chat: TestChat): Promise<void> {
    const join = bot.rooms.join(ROOM, { nick: 'natter' })
    await chat.receive(roomPresence(`${ROOM}/natter`, { self: true, jid: BOT }))
    await join
  }

  it('counts the occupants of a room that hides real JIDs together, so that a new nick gets no fresh bucket, and never answers the room with a notice', async () => {
    const { bot, chat } = echoBot({ burst: 2, rate: 0.01 })
    await joined(bot, chat)
    const carol: string[] = []
    for (let i = 0; i < 5; i++) carol.push(...(await chat.say(`${ROOM}/carol`, `c${i}`, 'groupchat')))
    expect(carol).toEqual(['echo c0', 'echo c1'])
    expect(await chat.say(`${ROOM}/carol-again`, 'hi', 'groupchat')).toEqual([])
  })

  it('gives such a room the rate of a contact, not of a stranger', async () => {
    const { bot, chat } = echoBot({ burst: 3, rate: 0.01, strangerBurst: 1 })
    await joined(bot, chat)
    const answers: string[] = []
    for (const nick of ['carol', 'dave', 'erin', 'frank']) answers.push(...(await chat.say(`${ROOM}/${nick}`, nick, 'groupchat')))
    expect(answers).toEqual(['echo carol', 'echo dave', 'echo erin'])
  })

  it('counts an occupant by its real JID when the room discloses it, across nick changes', async () => {
    const { bot, chat } = echoBot({ burst: 2, rate: 0.01 })
    await joined(bot, chat)
    await chat.receive(roomPresence(`${ROOM}/carol`, { jid: 'carol@example.org/x' }))
    await chat.receive(roomPresence(`${ROOM}/carol2`, { jid: 'carol@example.org/x' }))
    expect(await chat.say(`${ROOM}/carol`, 'one', 'groupchat')).toEqual(['echo one'])
    expect(await chat.say(`${ROOM}/carol2`, 'two', 'groupchat')).toEqual(['echo two'])
    expect(await chat.say(`${ROOM}/carol2`, 'three', 'groupchat')).toEqual([])
    // Her private messages through the room are hers too.
    expect(await chat.say(`${ROOM}/carol`, 'four')).toEqual([DEFAULT_NOTICE])
  })

  it("never counts the bot's own messages reflected by the room", async () => {
    const { bot, chat } = testBot({ limits: { burst: 1, rate: 0.01 }, receive: { ownMessages: true } })
    const seen = vi.fn()
    bot.message({ type: 'groupchat' }, seen)
    await joined(bot, chat)
    for (let i = 0; i < 4; i++) await chat.say(`${ROOM}/natter`, 'mine', 'groupchat')
    expect(seen).toHaveBeenCalledTimes(4)
  })
})

describe('handlers running at once', () => {
  it('are bounded per sender: a few more wait, the rest are dropped with a notice', async () => {
    const { bot, chat } = testBot({ limits: { concurrency: 2, queue: 1 } })
    const slow = gate()
    bot.message({ type: 'chat', body: /^slow/ }, async (msg) => {
      await slow.wait()
      await msg.reply(`done ${msg.body}`)
    })
    bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`echo ${msg.body}`))
    const pending = [1, 2, 3, 4].map((i) => chat.say(ALICE, `slow ${i}`))
    await settle()
    expect(slow.started()).toBe(2)
    expect(bodies(chat.sent)).toEqual([DEFAULT_NOTICE])
    // Someone else still gets answered at once.
    const bob = chat.say(BOB, 'hi')
    await settle()
    expect(bodies(chat.sent)).toContain('echo hi')
    slow.release()
    await settle()
    expect(slow.started()).toBe(3)
    slow.release()
    await Promise.all([...pending, bob])
    expect(
      bodies(chat.sent)
        .filter((b) => b.startsWith('done'))
        .sort(),
    ).toEqual(['done slow 1', 'done slow 2', 'done slow 3'])
  })

  it('are bounded overall, and an IQ that finds no slot is answered resource-constraint', async () => {
    const { bot, chat } = testBot({ limits: { totalConcurrency: 2, totalQueue: 0 } })
    const slow = gate()
    bot.message({ type: 'chat', body: true }, () => slow.wait())
    bot.iq({ type: 'get', xmlns: 'urn:example:q' }, () => xml('q', { xmlns: 'urn:example:q' }))
    const pending = [chat.say(ALICE, 'a'), chat.say(BOB, 'b')]
    await settle()
    const refused = chat.iq('carol@example.org/x', 'get', xml('q', { xmlns: 'urn:example:q' }))
    await settle()
    slow.open()
    await Promise.all(pending)
    const reply = await refused
    expect(errorCondition(reply)).toBe('resource-constraint')
    expect(reply.getChild('error')?.attrs.type).toBe('wait')
    expect((await chat.iq('carol@example.org/x', 'get', xml('q', { xmlns: 'urn:example:q' }))).attrs.type).toBe('result')
  })

  it('keep a flood of slow commands from one sender to a few, while others are answered', async () => {
    // The clock stands still, so that no token comes back however long the flood takes on a busy machine.
    vi.useFakeTimers({ toFake: ['Date'] })
    // Straight to the bot's inbound side: TestChat waits for the bot to be idle after every stanza.
    const bot = createBot({ env: {} })
    const sent: XmlElement[] = []
    const wire = BotCore.attachWire(bot, {
      jid: BOT,
      online: true,
      streamManagement: true,
      queues: { outbox: 0, writes: 0 },
      async send(stanza) {
        sent.push(stanza)
      },
      holdInbound() {},
      async close() {},
    })
    const runs: Array<Promise<unknown>> = []
    const started = (run: Promise<unknown>): void => {
      runs.push(run)
    }
    const slow = gate()
    bot.command('wait <seconds>', 'Waits', async (cmd) => {
      await cmd.typing()
      await slow.wait()
      await cmd.reply('waited')
    })
    bot.command('echo <text...>', 'Echoes', (cmd) => cmd.reply(cmd.args.text))
    for (let i = 0; i < 5_000; i++) void wire.receive(message({ id: `flood-${i}` }, 'wait 15'), started)
    await settle()
    expect(slow.started()).toBe(4)
    void wire.receive(message({ from: BOB }, 'echo hi'), started)
    await settle()
    expect(bodies(sent.filter((s) => s.attrs.to === BOB))).toEqual(['hi'])
    const toAlice = sent.filter((s) => s.attrs.to === ALICE)
    // Typing notices only for the handlers that run, and one notice about the rest.
    expect(toAlice.filter((s) => s.getChild('composing') !== undefined)).toHaveLength(4)
    expect(bodies(toAlice.filter((s) => s.getChild('body') !== undefined))).toEqual([DEFAULT_NOTICE])
    slow.open()
    await Promise.allSettled(runs)
    // A stranger's burst (100) ran, four at a time, the rest waiting in line; everything beyond it was dropped on arrival.
    expect(slow.started()).toBe(100)
    expect(bodies(sent.filter((s) => s.attrs.to === ALICE)).filter((b) => b === 'waited')).toHaveLength(slow.started())
  })

  it('keep slots for contacts and admins: strangers taking every other slot do not keep one waiting', async () => {
    const { bot, chat } = testBot({ admins: [ALICE], limits: { concurrency: 1, totalConcurrency: 3, reserved: 1 } })
    const slow = gate()
    bot.message({ type: 'chat', body: 'slow' }, () => slow.wait())
    bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`echo ${msg.body}`))
    const pending = ['s1', 's2', 's3'].map((name) => chat.say(`${name}@example.net/x`, 'slow'))
    await settle()
    // Two strangers run, the third waits: the last slot is kept.
    expect(slow.started()).toBe(2)
    const alice = chat.say(ALICE, 'hi')
    await settle()
    expect(bodies(chat.sent)).toEqual(['echo hi'])
    slow.open()
    await Promise.all([...pending, alice])
    expect(slow.started()).toBe(3)
  })

  it('bound the line in bytes, so that heavy stanzas wait no more than light ones would fill', async () => {
    const { bot, chat } = testBot({ limits: { concurrency: 1, queueBytes: 10_000 } })
    const slow = gate()
    const seen: string[] = []
    bot.message({ type: 'chat', body: true }, async (msg) => {
      seen.push(msg.body)
      await slow.wait()
    })
    const padded = (body: string) =>
      chat.receive(xml('message', { from: ALICE, to: BOT, type: 'chat' }, xml('body', {}, body), xml('pad', { xmlns: 'urn:example:pad' }, 'x'.repeat(6_000))))
    const pending = [chat.say(ALICE, 'first'), padded('heavy 1'), padded('heavy 2'), chat.say(ALICE, 'light')]
    await settle()
    // The second heavy one would take the line over its 10,000 bytes: refused, with a notice; the light one still fits.
    expect(bodies(chat.sent)).toEqual([DEFAULT_NOTICE])
    slow.open()
    await Promise.all(pending)
    expect(seen).toEqual(['first', 'heavy 1', 'light'])
  })

  it('keep the real JID a queued room message came with, though its nick changes hands meanwhile', async () => {
    const { bot, chat } = testBot({ limits: { concurrency: 1, queue: 1 } })
    const join = bot.rooms.join(ROOM, { nick: 'natter' })
    await chat.receive(roomPresence(`${ROOM}/natter`, { self: true, jid: BOT }))
    await join
    await chat.receive(roomPresence(`${ROOM}/carol`, { jid: 'carol@example.org/x' }))
    const slow = gate()
    const seen: Array<string | undefined> = []
    bot.message({ type: 'groupchat', body: true }, async (msg) => {
      seen.push(msg.realJid)
      await slow.wait()
    })
    const pending = [chat.say(`${ROOM}/carol`, 'first', 'groupchat'), chat.say(`${ROOM}/carol`, 'second', 'groupchat')]
    await settle()
    expect(seen).toEqual(['carol@example.org/x'])
    // Carol leaves, Mallory takes her nick; the second message is still waiting for its slot.
    void chat.receive(roomPresence(`${ROOM}/carol`, { type: 'unavailable' }))
    void chat.receive(roomPresence(`${ROOM}/carol`, { jid: 'mallory@example.org/y' }))
    slow.release()
    await settle()
    slow.release()
    await Promise.all(pending)
    expect(seen).toEqual(['carol@example.org/x', 'carol@example.org/x'])
  })
})

describe('settings', () => {
  it('are off with limits: false', async () => {
    const { chat } = echoBot(false)
    for (let i = 0; i < 50; i++) expect(await chat.say(ALICE, 'x')).toEqual(['echo x'])
  })

  it('are off with XMPP_LIMITS=off, and tuned by XMPP_SENDER_BURST for contacts and XMPP_STRANGER_BURST for strangers', async () => {
    const off = echoBot(undefined, { env: { XMPP_LIMITS: 'off' } })
    for (let i = 0; i < 60; i++) expect(await off.chat.say(ALICE, 'x')).toEqual(['echo x'])
    const tight = echoBot(undefined, {
      admins: [ALICE],
      env: { XMPP_SENDER_BURST: '1', XMPP_SENDER_RATE: '0.01', XMPP_STRANGER_BURST: '2', XMPP_STRANGER_RATE: '0.01' },
    })
    expect(await tight.chat.say(ALICE, 'x')).toEqual(['echo x'])
    expect(await tight.chat.say(ALICE, 'y')).toEqual([DEFAULT_NOTICE])
    expect(await tight.chat.say(BOB, 'x')).toEqual(['echo x'])
    expect(await tight.chat.say(BOB, 'y')).toEqual(['echo y'])
    expect(await tight.chat.say(BOB, 'z')).toEqual([DEFAULT_NOTICE])
  })

  it('let code win over the environment', async () => {
    const { chat } = echoBot({ burst: 2 }, { env: { XMPP_SENDER_BURST: '1' } })
    expect(await chat.say(ALICE, 'x')).toEqual(['echo x'])
    expect(await chat.say(ALICE, 'y')).toEqual(['echo y'])
  })

  it.each([
    [{ XMPP_LIMITS: 'maybe' }, 'XMPP_LIMITS'],
    [{ XMPP_SENDER_RATE: '-1' }, 'XMPP_SENDER_RATE'],
    [{ XMPP_SENDER_BURST: '2.5' }, 'XMPP_SENDER_BURST'],
  ])('refuse %j with a ConfigError naming the variable', (env, variable) => {
    let error: unknown
    try {
      testBot({ env })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).variable).toBe(variable)
  })

  it('refuse a malformed option', () => {
    expect(() => testBot({ limits: { concurrency: 0 } })).toThrow(/limits.concurrency/)
  })
})
