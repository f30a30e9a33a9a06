import { Writable } from 'node:stream'
import { type XmlElement, xml } from 'natter'
import { describe, expect, it, vi } from 'vitest'
import { cutBelow, MAX_STANZA_DEPTH, nestsDeeperThan } from '../src/stanza-depth.js'
import { ALICE, errorCondition, message, testBot } from './support/unit.js'

/** `depth` nested `<a/>` elements, the innermost holding `text`. */
function nested(depth: number, text = 'bottom'): XmlElement {
  const top = xml('a', {})
  let inner = top
  for (let i = 1; i < depth; i++) {
    const child = xml('a', {})
    inner.append(child)
    inner = child
  }
  inner.append(text)
  return top
}

describe('stanza depth', () => {
  it('is measured without recursion, at any depth', () => {
    expect(nestsDeeperThan(nested(3), 3)).toBe(false)
    expect(nestsDeeperThan(nested(4), 3)).toBe(true)
    expect(nestsDeeperThan(xml('iq', {}, xml('q', {}), nested(2), 'text'), 3)).toBe(false)
    expect(nestsDeeperThan(nested(100_000), MAX_STANZA_DEPTH)).toBe(true)
  })

  it('is cut in place to the limit', () => {
    const deep = nested(100_000)
    cutBelow(deep, 5)
    expect(nestsDeeperThan(deep, 5)).toBe(false)
    expect(nestsDeeperThan(deep, 4)).toBe(true)
    expect(deep.toString()).toBe('<a><a><a><a><a/></a></a></a></a>')
  })
})

describe('a stanza nested too deep', () => {
  it('as an IQ request, is answered policy-violation with its payload cut, and the bot goes on', async () => {
    const { bot, chat } = testBot()
    const seen = vi.fn()
    bot.iq(seen)
    const reply = await chat.iq(ALICE, 'get', xml('query', { xmlns: 'urn:example:deep' }, nested(20_000)))
    expect(errorCondition(reply)).toBe('policy-violation')
    expect(reply.getChild('error')?.attrs.type).toBe('modify')
    expect(seen).not.toHaveBeenCalled()
    // The whole reply can be written to the wire.
    expect(reply.toString().length).toBeLessThan(2_000)
    expect((await chat.iq(ALICE, 'get', xml('query', { xmlns: 'urn:example:fine' }))).attrs.type).toBe('result')
  })

  it('as a message, never reaches handlers, and its sender is logged once a minute', async () => {
    const lines: string[] = []
    const logDestination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const { bot, chat } = testBot({ logLevel: 'warn', logDestination })
    const seen = vi.fn()
    bot.message(seen)
    bot.presence(seen)
    for (let i = 0; i < 3; i++) {
      expect(await chat.receive(message({}, 'hi', nested(10_000)))).toEqual([])
      expect(await chat.receive(xml('presence', { from: ALICE }, nested(10_000)))).toEqual([])
    }
    expect(seen).not.toHaveBeenCalled()
    expect(lines.filter((l) => l.includes('nested deeper'))).toHaveLength(1)
    expect(await chat.say(ALICE, 'hi')).toEqual([])
    expect(seen).toHaveBeenCalledTimes(1)
  })

  it("as the reply to a request of the bot's, still settles it, cut", async () => {
    const { bot, chat } = testBot()
    const asked = bot.request({ to: 'svc.example.org', type: 'get', payload: xml('query', { xmlns: 'urn:example:q' }) })
    const id = chat.sent.at(-1)?.attrs.id
    await chat.receive(xml('iq', { from: 'svc.example.org', type: 'result', id }, xml('query', { xmlns: 'urn:example:q' }, nested(20_000))))
    const reply = await asked
    expect(nestsDeeperThan(reply, MAX_STANZA_DEPTH)).toBe(false)
    expect(reply.toString()).toContain('<query xmlns="urn:example:q"><a><a>')
  })

  it('just within the limit, reaches handlers whole', async () => {
    const { bot, chat } = testBot()
    let depthSeen = false
    bot.iq((iq) => {
      depthSeen = iq.query.toString().includes('bottom')
      return undefined
    })
    // iq, query, and the rest of the allowed levels.
    await chat.iq(ALICE, 'get', xml('query', { xmlns: 'urn:example:q' }, nested(MAX_STANZA_DEPTH - 2)))
    expect(depthSeen).toBe(true)
  })
})
