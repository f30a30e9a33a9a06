import { Writable } from 'node:stream'
import { xml } from 'natter'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { readErrorReply } from '../../../src/plugins/error-reply/settings.js'
import { ALICE, bodies, message, roomPresence, testBot } from '../../support/unit.js'

const BOB = 'bob@example.org/laptop'
const ROOM = 'lobby@conference.example.org'

afterEach(() => {
  vi.useRealTimers()
})

/** The log lines written to it, parsed. */
function logSink(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = []
  return {
    stream: new Writable({
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

/** A bot whose handler for "boom" throws and that echoes anything else. */
function failingBot(options: Parameters<typeof testBot>[0] = {}) {
  const made = testBot(options)
  made.bot.message({ body: 'boom' }, () => {
    throw new Error('handler bug')
  })
  made.bot.message({ type: ['chat', 'groupchat'], body: true }, (msg) => msg.reply(`echo ${msg.body}`))
  return made
}

describe('the reply when a handler fails', () => {
  it('tells a chat sender, with the reference the error log line carries', async () => {
    const sink = logSink()
    const { chat } = failingBot({ logLevel: 'error', logDestination: sink.stream })
    const [reply] = await chat.say(ALICE, 'boom')
    const ref = /^Sorry, something went wrong \(ref ([0-9a-f]{6})\)\.$/.exec(reply ?? '')?.[1]
    expect(ref).toBeDefined()
    expect(sink.lines().find((l) => l.msg === 'message handler failed')).toMatchObject({ ref, err: { message: 'handler bug' } })
  })

  it('hands the reference to a catch hook too, and still replies', async () => {
    const { bot, chat } = failingBot()
    const refs: string[] = []
    bot.catch((_error, _ctx, ref) => {
      refs.push(ref)
    })
    expect(await chat.say(ALICE, 'boom')).toEqual([`Sorry, something went wrong (ref ${refs[0]}).`])
  })

  it('answers in a room, to the room', async () => {
    const { chat } = failingBot()
    await chat.receive(roomPresence(`${ROOM}/natter`, { self: true }))
    const [reply] = await chat.say(`${ROOM}/carol`, 'boom', 'groupchat')
    expect(reply).toMatch(/^Sorry, something went wrong/)
  })

  it('takes a text of its own, from the option or XMPP_ERROR_REPLY', async () => {
    const fromOption = failingBot({ errorReply: 'Broken ({ref}), tell ops.' })
    expect(await fromOption.chat.say(ALICE, 'boom')).toEqual([expect.stringMatching(/^Broken \([0-9a-f]{6}\), tell ops\.$/)])
    expect(readErrorReply(undefined, { XMPP_ERROR_REPLY: 'Oops {ref}' })).toBe('Oops {ref}')
    expect(readErrorReply(undefined, { XMPP_ERROR_REPLY: 'OFF' })).toBe(false)
    expect(readErrorReply('mine {ref}', { XMPP_ERROR_REPLY: 'Oops {ref}' })).toBe('mine {ref}')
  })

  it('is off with errorReply: false', async () => {
    const { chat } = failingBot({ errorReply: false })
    expect(await chat.say(ALICE, 'boom')).toEqual([])
  })

  it('goes at most once per sender every few seconds, while another sender still gets its own', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { chat } = failingBot()
    expect(await chat.say(ALICE, 'boom')).toHaveLength(1)
    expect(await chat.say(ALICE, 'boom')).toEqual([])
    expect(await chat.say(BOB, 'boom')).toHaveLength(1)
    vi.advanceTimersByTime(60_000)
    expect(await chat.say(ALICE, 'boom')).toHaveLength(1)
  })

  it('never answers an error, a message without a body, a headline, or what reads like such a reply', async () => {
    const { bot, chat } = testBot()
    bot.message(() => {
      throw new Error('handler bug')
    })
    const out = [
      ...(await chat.receive(message({ type: 'error' }, 'boom'))),
      ...(await chat.receive(message({}, undefined, xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' })))),
      ...(await chat.receive(message({ type: 'headline' }, 'boom'))),
      ...(await chat.receive(message({ from: BOB }, 'Sorry, something went wrong (ref 3f9a2c).'))),
    ]
    expect(bodies(out)).toEqual([])
  })

  it('leaves IQ requests their error answer, and nothing more', async () => {
    const { bot, chat } = testBot()
    bot.iq({ type: 'get' }, () => {
      throw new Error('handler bug')
    })
    const out = await chat.receive(xml('iq', { from: ALICE, type: 'get', id: 'q1' }, xml('query', { xmlns: 'urn:example:broken' })))
    expect(out.map((s) => `${s.name} ${s.attrs.type}`)).toEqual(['iq error'])
  })
})
