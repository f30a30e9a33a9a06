import { type XmlElement, xml } from 'natter'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WriteLane } from '../../src/wire/write-lane.js'

/** A link whose readiness the test switches; it records what is written. */
function fakeLink() {
  const written: string[] = []
  const link = {
    ready: true,
    async write(stanza: XmlElement, text: string) {
      expect(text).toBe(stanza.toString())
      written.push(stanza.getChildText('body') ?? stanza.name)
    },
  }
  return { link, written }
}

const msg = (text: string) => xml('message', { to: 'alice@example.org', type: 'chat' }, xml('body', {}, text))

afterEach(() => {
  vi.useRealTimers()
})

describe('WriteLane', () => {
  it('writes straight through while the link is ready', async () => {
    const { link, written } = fakeLink()
    const lane = new WriteLane(link, { maxBytes: 1000 })
    await lane.send(msg('one'))
    expect(written).toEqual(['one'])
    expect(lane.waiting).toBe(0)
  })

  it('holds what comes while the link is not ready, and writes it in order once woken', async () => {
    const { link, written } = fakeLink()
    const lane = new WriteLane(link, { maxBytes: 1000 })
    link.ready = false
    const sent = [lane.send(msg('1')), lane.send(msg('2'))]
    expect(lane.waiting).toBe(2)
    link.ready = true
    lane.wake()
    sent.push(lane.send(msg('3')))
    await Promise.all(sent)
    expect(written).toEqual(['1', '2', '3'])
  })

  it('refuses a stanza over maxBytes of UTF-8 without writing any of it', async () => {
    const { link, written } = fakeLink()
    const lane = new WriteLane(link, { maxBytes: msg('x'.repeat(10)).toString().length })
    await lane.send(msg('x'.repeat(10)))
    // Ten characters, twenty bytes.
    await expect(lane.send(msg('é'.repeat(10)))).rejects.toMatchObject({ name: 'UndeliveredError', reason: 'too-big' })
    expect(written).toEqual(['x'.repeat(10)])
  })

  it('refuses a waiting stanza that the limit, lowered meanwhile, no longer allows', async () => {
    const { link, written } = fakeLink()
    const lane = new WriteLane(link, { maxBytes: 10_000 })
    link.ready = false
    const big = lane.send(msg('b'.repeat(5_000)))
    const small = lane.send(msg('small'))
    lane.maxBytes = 1_000
    link.ready = true
    lane.wake()
    await expect(big).rejects.toMatchObject({ reason: 'too-big' })
    await small
    expect(written).toEqual(['small'])
  })

  it('rejects everything waiting, in order, when the link fails', async () => {
    const { link } = fakeLink()
    const lane = new WriteLane(link, { maxBytes: 1000 })
    link.ready = false
    const order: string[] = []
    const sent = ['a', 'b'].map((text) => lane.send(msg(text)).catch(() => order.push(text)))
    lane.fail(new Error('the link went down'))
    await Promise.all(sent)
    expect(order).toEqual(['a', 'b'])
    expect(lane.waiting).toBe(0)
  })

  it('goes no faster than its rate after a burst, and keeps the order', async () => {
    vi.useFakeTimers()
    const { link, written } = fakeLink()
    const lane = new WriteLane(link, { maxBytes: 1000, rate: { rate: 2, burst: 2 }, now: () => Date.now() })
    const sent = Array.from({ length: 6 }, (_, i) => lane.send(msg(String(i))))
    await Promise.resolve()
    expect(written).toEqual(['0', '1'])
    await vi.advanceTimersByTimeAsync(500)
    expect(written).toEqual(['0', '1', '2'])
    await vi.advanceTimersByTimeAsync(1_500)
    expect(written).toEqual(['0', '1', '2', '3', '4', '5'])
    await Promise.all(sent)
  })
})
