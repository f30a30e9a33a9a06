import { type XmlElement, xml } from 'natter'
import { describe, expect, it, vi } from 'vitest'
import type { Logger } from '../../src/log/logger.js'
import { NS_DELAY, NS_SM } from '../../src/ns.js'
import { AckQueue } from '../../src/wire/ack-queue.js'
import { Receiver } from '../../src/wire/receiver.js'
import type { AckState } from '../../src/wire/xmppjs.js'

/** A receiver over a real ack queue; it records what reaches the bot, xmpp.js's middleware and the wire. */
function receiver(handle: (stanza: XmlElement) => undefined | Promise<undefined> = () => undefined) {
  const sm: AckState = { enabled: true, enableSent: true, id: 'session-1', outbound: 0, outbound_q: [] }
  const written: string[] = []
  const acks = new AckQueue(sm, {
    write: async (element) => {
      written.push(element.toString())
    },
    acknowledged: () => {},
    undelivered: () => {},
  })
  const bot: string[] = []
  const middleware: string[] = []
  const raised: unknown[] = []
  const xmpp = { toMiddleware: (element: XmlElement) => middleware.push(element.name), raise: (error: unknown) => raised.push(error) }
  const log = { info: vi.fn() } as unknown as Logger
  const it = new Receiver(
    xmpp,
    acks,
    (stanza) => {
      bot.push(stanza.name)
      return handle(stanza)
    },
    log,
  )
  const ackAnswers = (): string[] => written.filter((text) => text.startsWith('<a '))
  return { receiver: it, sm, acks, bot, middleware, raised, written, ackAnswers }
}

const message = (id: string, delayed = false) =>
  xml('message', { from: 'alice@example.org/phone', id }, xml('body', {}, 'hi'), delayed && xml('delay', { xmlns: NS_DELAY, stamp: '2026-01-01T00:00:00Z' }))
const iq = () => xml('iq', { type: 'get', id: 'q1', from: 'example.org' }, xml('query', { xmlns: 'urn:x' }))

describe('Receiver', () => {
  it("hands messages and presence to the bot past xmpp.js's middleware, and IQs and the stream's elements to it", () => {
    const { receiver: r, bot, middleware } = receiver()
    r.receive(message('m1'))
    r.receive(xml('presence', { from: 'alice@example.org/phone' }))
    r.receive(iq())
    r.receive(xml('enabled', { xmlns: NS_SM, id: 's', resume: 'true' }))
    expect(bot).toEqual(['message', 'presence'])
    expect(middleware).toEqual(['iq', 'enabled'])
  })

  it("counts every stanza received since <enabled/>, IQs included, and answers the server's <r/> with the count", () => {
    const { receiver: r, middleware, ackAnswers } = receiver()
    r.receive(message('m1'))
    r.receive(xml('enabled', { xmlns: NS_SM }))
    r.receive(message('m2'))
    r.receive(iq())
    r.receive(xml('presence'))
    r.receive(xml('r', { xmlns: NS_SM }))
    expect(ackAnswers()).toEqual([`<a xmlns="${NS_SM}" h="3"/>`])
    expect(middleware).not.toContain('r')
  })

  it('takes what the server acknowledges off the queue of what was sent', () => {
    const { receiver: r, sm, acks, middleware } = receiver()
    for (const body of ['1', '2']) acks.queue(xml('message', {}, xml('body', {}, body)), 10)
    r.receive(xml('a', { xmlns: NS_SM, h: '1' }))
    expect(sm.outbound_q.map(({ stanza }) => stanza.getChildText('body'))).toEqual(['2'])
    expect(middleware).toEqual([])
  })

  it('keeps from the bot a delayed copy of a message it has handled, delivered again after a reconnect', () => {
    const { receiver: r, bot } = receiver()
    r.receive(message('m1'))
    r.receive(message('m1', true))
    expect(bot).toEqual(['message'])
  })

  it('once holding, acknowledges nothing more that comes in, and lets every copy reach the bot to be refused', () => {
    const { receiver: r, bot, ackAnswers } = receiver()
    r.receive(message('m1'))
    r.hold()
    r.receive(message('m2'))
    r.receive(message('m1', true))
    r.receive(xml('r', { xmlns: NS_SM }))
    expect(bot).toEqual(['message', 'message', 'message'])
    expect(ackAnswers()).toEqual([`<a xmlns="${NS_SM}" h="1"/>`])
  })

  it('reports a failure of the bot, thrown or rejected, as xmpp.js reports one', async () => {
    const thrown = new Error('thrown')
    const rejected = new Error('rejected')
    const { receiver: r, raised } = receiver((stanza) => {
      if (stanza.attrs.id === 'throws') throw thrown
      return Promise.reject(rejected)
    })
    r.receive(message('throws'))
    r.receive(message('rejects'))
    await vi.waitFor(() => expect(raised).toEqual([thrown, rejected]))
  })

  it('notes when something last came in', () => {
    const { receiver: r } = receiver()
    r.lastActivity = 0
    r.receive(xml('r', { xmlns: NS_SM }))
    expect(r.lastActivity).toBeGreaterThan(0)
  })
})
