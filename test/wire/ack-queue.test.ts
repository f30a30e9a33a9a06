import { type XmlElement, xml } from 'natter'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { NS_SM } from '../../src/ns.js'
import { AckQueue } from '../../src/wire/ack-queue.js'
import type { AckState } from '../../src/wire/xmppjs.js'

/** An ack queue over a stream management state of the test's own, recording what it writes and reports. */
function ackQueue(state: Partial<AckState> = {}) {
  const sm: AckState = { enabled: true, enableSent: true, id: 'session-1', outbound: 0, outbound_q: [], ...state }
  const written: XmlElement[] = []
  const undelivered: Array<{ body: string | null; sentAt: number }> = []
  const wakes = { count: 0 }
  const acks = new AckQueue(sm, {
    write: async (element) => {
      written.push(element)
    },
    acknowledged: () => {
      wakes.count++
    },
    undelivered: (stanza, sentAt) => undelivered.push({ body: stanza.getChildText('body'), sentAt }),
  })
  /** Queues a message with `body` as if `chars` characters of it were written. */
  const send = (body: string | number, chars = 10): XmlElement => {
    const stanza = xml('message', { to: 'alice@example.org' }, xml('body', {}, String(body)))
    acks.queue(stanza, chars)
    return stanza
  }
  const queued = (): Array<string | null> => sm.outbound_q.map(({ stanza }) => stanza.getChildText('body'))
  const ackRequests = (): number => written.filter((element) => element.is('r', NS_SM)).length
  return { sm, acks, written, undelivered, wakes, send, queued, ackRequests }
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-03-04T05:06:07.890Z') })
})

afterEach(() => {
  vi.useRealTimers()
})

describe('AckQueue', () => {
  it('queues stanzas only, from the moment <enable/> is written, each with where it starts and when it was written', () => {
    const { sm, acks, send, queued } = ackQueue({ enabled: false, enableSent: false })
    send('before')
    expect(queued()).toEqual([])
    acks.queue(xml('enable', { xmlns: NS_SM, resume: 'true' }), 30)
    expect(sm.enableSent).toBe(true)
    send('one', 100)
    vi.advanceTimersByTime(1_500)
    send('two', 50)
    acks.queue(xml('r', { xmlns: NS_SM }), 20)
    send('three', 10)
    expect(queued()).toEqual(['one', 'two', 'three'])
    expect(sm.outbound_q.map((item) => item.start)).toEqual([0, 100, 150])
    const [one, two] = sm.outbound_q
    expect((two?.at ?? 0) - (one?.at ?? 0)).toBe(1_500)
    expect(one?.stamp).toBe('2026-03-04T05:06:07Z')
    expect(two?.stamp).toBe('2026-03-04T05:06:09Z')
  })

  it('takes exactly the stanzas an ack covers off the queue, counting h from what was acknowledged before', () => {
    const { sm, acks, send, queued, wakes } = ackQueue()
    for (let i = 1; i <= 5; i++) send(i)
    acks.acknowledged(2)
    expect(queued()).toEqual(['3', '4', '5'])
    expect(sm.outbound).toBe(2)
    acks.acknowledged(2)
    acks.acknowledged(1)
    expect(queued()).toEqual(['3', '4', '5'])
    acks.acknowledged(4)
    expect(queued()).toEqual(['5'])
    expect(sm.outbound).toBe(4)
    expect(wakes.count).toBe(4)
  })

  it('takes no more than it holds when the server acknowledges more than was sent', () => {
    const { sm, acks, send, queued } = ackQueue()
    send(1)
    send(2)
    acks.acknowledged(7)
    expect(queued()).toEqual([])
    expect(sm.outbound).toBe(2)
    send(3)
    acks.acknowledged(3)
    expect(queued()).toEqual([])
  })

  it('ignores an ack before stream management is enabled, and one whose h is not a whole number', () => {
    const { sm, acks, send, queued, wakes } = ackQueue({ enabled: false })
    send(1)
    send(2)
    acks.acknowledged(2)
    expect(queued()).toEqual(['1', '2'])
    Object.assign(sm, { enabled: true })
    acks.acknowledged(Number.NaN)
    acks.acknowledged(1.5)
    expect(queued()).toEqual(['1', '2'])
    expect(wakes.count).toBe(0)
  })

  it("keeps counting in the array xmpp.js puts in place when it resends a resumed session's stanzas", () => {
    const { sm, acks, send, queued } = ackQueue()
    for (let i = 1; i <= 3; i++) send(i, 100)
    acks.acknowledged(1)
    // What xmpp.js does on <resumed h='1'/>: it empties the queue and writes each stanza again, in order.
    const unacknowledged = sm.outbound_q
    sm.outbound_q = []
    for (const { stanza } of unacknowledged) acks.queue(stanza, 100)
    expect(queued()).toEqual(['2', '3'])
    expect(sm.outbound_q.map((item) => item.start)).toEqual([300, 400])
    acks.acknowledged(2)
    expect(queued()).toEqual(['3'])
  })

  it("answers the server's <r/> with the count of stanzas received since <enabled/>", async () => {
    const { acks, written } = ackQueue()
    for (let i = 0; i < 3; i++) acks.countReceived()
    acks.answerRequest()
    acks.restartCount()
    acks.countReceived()
    acks.answerRequest()
    expect(written.map(String)).toEqual([`<a xmlns="${NS_SM}" h="3"/>`, `<a xmlns="${NS_SM}" h="1"/>`])
    expect(acks.received).toBe(1)
  })

  it('asks for an ack every 100 stanzas under steady load, not only once sending pauses', () => {
    const { send, ackRequests } = ackQueue()
    for (let i = 0; i < 99; i++) send(i)
    expect(ackRequests()).toBe(0)
    send(99)
    expect(ackRequests()).toBe(1)
    for (let i = 0; i < 100; i++) send(i)
    expect(ackRequests()).toBe(2)
  })

  it('asks for several acks per window when stanzas are big, so that the window keeps moving', () => {
    const { send, ackRequests } = ackQueue()
    // Two windows' worth of output at the smallest window, 16 KiB.
    for (let i = 0; i < 8; i++) send(i, 4 * 1024)
    expect(ackRequests()).toBeGreaterThanOrEqual(4)
  })

  it('asks for an ack once sending pauses, with one timer that waits for the last stanza', () => {
    const { send, ackRequests } = ackQueue()
    send(1)
    vi.advanceTimersByTime(200)
    send(2)
    vi.advanceTimersByTime(249)
    expect(ackRequests()).toBe(0)
    vi.advanceTimersByTime(1)
    expect(ackRequests()).toBe(1)
    vi.advanceTimersByTime(10_000)
    expect(ackRequests()).toBe(1)
  })

  it('asks for nothing after a pause when everything was acknowledged meanwhile', () => {
    const { acks, send, ackRequests } = ackQueue()
    send(1)
    acks.acknowledged(1)
    vi.advanceTimersByTime(1_000)
    expect(ackRequests()).toBe(0)
  })

  it('asks for no ack before the server has enabled stream management, though it queues', () => {
    const { send, queued, ackRequests } = ackQueue({ enabled: false })
    for (let i = 0; i < 150; i++) send(i)
    vi.advanceTimersByTime(1_000)
    expect(ackRequests()).toBe(0)
    expect(queued()).toHaveLength(150)
  })

  it('holds the bot back while a window of output awaits an ack, and lets it go on as acks come', () => {
    const { acks, send } = ackQueue()
    expect(acks.hasRoom()).toBe(true)
    send(1, 16 * 1024 - 1)
    expect(acks.hasRoom()).toBe(true)
    send(2, 1)
    expect(acks.hasRoom()).toBe(false)
    acks.acknowledged(1)
    expect(acks.hasRoom()).toBe(true)
  })

  it('lets anything go without stream management, or with nothing awaiting an ack', () => {
    const { acks, send } = ackQueue({ enabled: false })
    send(1, 1024 * 1024)
    expect(acks.hasRoom()).toBe(true)
    const other = ackQueue()
    other.send(1, 1024 * 1024)
    other.acks.acknowledged(1)
    expect(other.acks.hasRoom()).toBe(true)
  })

  it('fails what a failed resume lost, in the order it was sent, but not what the server says it got', () => {
    const { sm, acks, send, undelivered } = ackQueue()
    const sentAt: number[] = []
    for (let i = 1; i <= 4; i++) {
      send(i)
      sentAt.push(performance.now())
      vi.advanceTimersByTime(10)
    }
    acks.acknowledged(1)
    acks.resumeFailed(2)
    expect(undelivered).toEqual([
      { body: '3', sentAt: sentAt[2] },
      { body: '4', sentAt: sentAt[3] },
    ])
    expect(sm.outbound_q).toEqual([])
    expect(sm.outbound).toBe(0)
  })

  it('fails everything unacknowledged when a failed resume says nothing or less than was acknowledged', () => {
    const { acks, send, undelivered } = ackQueue()
    for (let i = 1; i <= 3; i++) send(i)
    acks.acknowledged(1)
    acks.resumeFailed(0)
    expect(undelivered.map((u) => u.body)).toEqual(['2', '3'])
  })

  it('leaves a failed resume to xmpp.js when there was no session or no h', () => {
    const noSession = ackQueue({ id: '' })
    noSession.send(1)
    noSession.acks.resumeFailed(1)
    expect(noSession.queued()).toEqual(['1'])
    const noCount = ackQueue()
    noCount.send(1)
    noCount.acks.resumeFailed(Number.NaN)
    expect(noCount.queued()).toEqual(['1'])
    expect([...noSession.undelivered, ...noCount.undelivered]).toEqual([])
  })

  it('fails everything unacknowledged when the link goes down without a session to resume, and keeps it for one', () => {
    const lost = ackQueue({ id: '' })
    lost.send(1)
    lost.send(2)
    lost.acks.disconnected()
    expect(lost.undelivered.map((u) => u.body)).toEqual(['1', '2'])
    expect(lost.queued()).toEqual([])
    const resumable = ackQueue()
    resumable.send(1)
    resumable.acks.disconnected()
    expect(resumable.undelivered).toEqual([])
    expect(resumable.queued()).toEqual(['1'])
  })

  it('asks for no ack once the link is down', () => {
    const { acks, send, ackRequests } = ackQueue()
    send(1)
    acks.disconnected()
    vi.advanceTimersByTime(1_000)
    expect(ackRequests()).toBe(0)
  })

  it('knows the biggest stanza awaiting an ack, in bytes of UTF-8', () => {
    const { acks, send } = ackQueue()
    expect(acks.biggestUnacknowledged()).toBe(0)
    const accented = send('é'.repeat(10))
    send('x'.repeat(15))
    expect(acks.biggestUnacknowledged()).toBe(Buffer.byteLength(accented.toString()))
  })
})
