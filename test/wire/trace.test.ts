import { type XmlElement, xml } from 'natter'
import { describe, expect, it, vi } from 'vitest'
import type { Logger } from '../../src/log/logger.js'
import { wireTrace } from '../../src/wire/trace.js'

function tracer() {
  const debug = vi.fn()
  return { debug, trace: wireTrace({ debug } as unknown as Logger) }
}

describe('wireTrace', () => {
  it('logs each element in and out, secrets hidden, and each status of the stream', () => {
    const { debug, trace } = tracer()
    trace.in(xml('message', { from: 'alice@example.org' }, xml('body', {}, 'hi')))
    trace.out(xml('iq', { type: 'set' }, xml('query', { xmlns: 'jabber:iq:register' }, xml('password', {}, 'hunter2'))))
    trace.status('online')
    expect(debug.mock.calls).toEqual([
      [{ xml: '<message from="alice@example.org"><body>hi</body></message>' }, 'xmpp in'],
      [{ xml: '<iq type="set"><query xmlns="jabber:iq:register"><password>hidden</password></query></iq>' }, 'xmpp out'],
      [{ status: 'online' }, 'xmpp status'],
    ])
  })

  it("logs stream management's acks at trace level only, so that -D shows the stanzas", () => {
    const debug = vi.fn()
    const trace = vi.fn()
    const wire = wireTrace({ debug, trace } as unknown as Logger)
    wire.out(xml('r', { xmlns: 'urn:xmpp:sm:3' }))
    wire.in(xml('a', { xmlns: 'urn:xmpp:sm:3', h: '7' }))
    wire.in(xml('a', { xmlns: 'urn:other' }))
    expect(trace.mock.calls).toEqual([
      [{ xml: '<r xmlns="urn:xmpp:sm:3"/>' }, 'xmpp out'],
      [{ xml: '<a xmlns="urn:xmpp:sm:3" h="7"/>' }, 'xmpp in'],
    ])
    expect(debug.mock.calls).toEqual([[{ xml: '<a xmlns="urn:other"/>' }, 'xmpp in']])
  })

  it('also hides the names it is given (LOG_SECRET_NAMES)', () => {
    const debug = vi.fn()
    wireTrace({ debug } as unknown as Logger, ['cookie']).in(xml('iq', {}, xml('cookie', {}, 'c-1')))
    expect(debug).toHaveBeenCalledWith({ xml: '<iq><cookie>hidden</cookie></iq>' }, 'xmpp in')
  })

  it('never breaks the stream over an element it cannot log', () => {
    const { debug, trace } = tracer()
    const broken = {
      name: 'message',
      get attrs(): never {
        throw new Error('unreadable')
      },
    } as unknown as XmlElement
    expect(() => trace.in(broken)).not.toThrow()
    expect(debug).toHaveBeenCalledWith({ err: expect.any(Error) }, 'xmpp in: cannot log this element')
  })
})
