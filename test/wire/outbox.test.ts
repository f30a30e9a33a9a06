import { UndeliveredError, type UndeliveredReason, type XmlElement, xml } from 'natter'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Outbox } from '../../src/wire/outbox.js'

/** A link that can be switched on and off, and fails writes while off; it refuses bodies that start with "huge". */
function fakeLink() {
  const written: string[] = []
  const link = {
    online: false,
    async send(stanza: XmlElement) {
      if (!link.online) throw new Error('socket closed')
      const body = stanza.getChildText('body') ?? stanza.name
      if (body.startsWith('huge')) throw new UndeliveredError('too-big')
      written.push(body)
    },
  }
  return { link, written }
}

const msg = (text: string) => xml('message', { to: 'alice@example.org', type: 'chat' }, xml('body', {}, text))

function outbox(options?: ConstructorParameters<typeof Outbox>[2]) {
  const { link, written } = fakeLink()
  const dropped: Array<[string, UndeliveredReason]> = []
  const box = new Outbox(link, (stanza, reason) => dropped.push([stanza.getChildText('body') ?? '', reason]), options)
  return { box, link, written, dropped }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('Outbox', () => {
  it('writes straight through while online and nothing waits', async () => {
    const { box, link, written } = outbox()
    link.online = true
    await box.send(msg('now'))
    expect(written).toEqual(['now'])
  })

  it('holds what is sent offline, and resolves it once flushed, in order', async () => {
    const { box, link, written } = outbox()
    const first = box.send(msg('one'))
    const second = box.send(msg('two'))
    link.online = true
    // While the backlog goes out, new stanzas line up behind it.
    const flushed = box.flush()
    const third = box.send(msg('three'))
    await flushed
    await Promise.all([first, second, third])
    expect(written).toEqual(['one', 'two', 'three'])
  })

  it('keeps a stanza whose write fails as the link goes down, for the next flush', async () => {
    const { box, link, written } = outbox()
    link.online = true
    const realSend = link.send
    link.send = () => Promise.reject(new Error('EPIPE'))
    const pending = box.send(msg('not lost'))
    await new Promise((resolve) => setImmediate(resolve))
    link.send = realSend
    await box.flush()
    await pending
    expect(written).toEqual(['not lost'])
  })

  it('stops at a failed write during a flush and keeps the rest', async () => {
    const { box, link, written } = outbox()
    const a = box.send(msg('a'))
    box.send(msg('b')).catch(() => {})
    link.online = true
    let calls = 0
    const realSend = link.send
    link.send = async (s) => {
      calls += 1
      if (calls === 2) throw new Error('reset')
      return realSend(s)
    }
    await box.flush()
    await a
    expect(written).toEqual(['a'])
    link.send = realSend
    await box.flush()
    expect(written).toEqual(['a', 'b'])
  })

  it('refuses beyond maxStanzas, reporting it', async () => {
    const { box, dropped } = outbox({ maxStanzas: 2 })
    box.send(msg('1')).catch(() => {})
    box.send(msg('2')).catch(() => {})
    await expect(box.send(msg('3'))).rejects.toMatchObject({ name: 'UndeliveredError', reason: 'queue-full' })
    expect(dropped).toEqual([['3', 'queue-full']])
  })

  it('gives up on stanzas older than maxAge, reporting each', async () => {
    vi.useFakeTimers()
    const { box, dropped } = outbox({ maxAge: 1_000 })
    const old = box.send(msg('old'))
    const rejected = expect(old).rejects.toBeInstanceOf(UndeliveredError)
    vi.advanceTimersByTime(600)
    const young = box.send(msg('young'))
    vi.advanceTimersByTime(500)
    await rejected
    expect(dropped).toEqual([['old', 'expired']])
    vi.advanceTimersByTime(600)
    await expect(young).rejects.toMatchObject({ reason: 'expired' })
  })

  it('sends stanzas to retry before anything queued later, in their own order', async () => {
    const { box, link, written } = outbox()
    const later = box.send(msg('queued while offline'))
    box.retry(msg('unacked 1'), performance.now())
    box.retry(msg('unacked 2'), performance.now())
    link.online = true
    await box.flush()
    await later
    expect(written).toEqual(['unacked 1', 'unacked 2', 'queued while offline'])
  })

  it('refuses a stanza the link refuses for good, and never keeps it for later', async () => {
    const { box, link, written, dropped } = outbox()
    link.online = true
    await expect(box.send(msg('huge reply'))).rejects.toMatchObject({ name: 'UndeliveredError', reason: 'too-big' })
    await box.send(msg('next'))
    link.online = false
    const queued = box.send(msg('huge while offline'))
    const after = box.send(msg('after it'))
    link.online = true
    await box.flush()
    await expect(queued).rejects.toMatchObject({ reason: 'too-big' })
    await after
    expect(written).toEqual(['next', 'after it'])
    expect(dropped).toEqual([
      ['huge reply', 'too-big'],
      ['huge while offline', 'too-big'],
    ])
  })

  it('gives up on a message after maxAttempts writes when sessions keep ending before it is acknowledged', async () => {
    const { box, link, written, dropped } = outbox({ maxAttempts: 3 })
    const poison = msg('poison')
    for (let attempt = 1; attempt <= 3; attempt++) {
      box.retry(poison, performance.now())
      link.online = true
      await box.flush()
      link.online = false
    }
    expect(written).toEqual(['poison', 'poison'])
    expect(dropped).toEqual([['poison', 'unacknowledged']])
  })

  it('counts the age of a message sent again from when it was first sent, not from the retry', async () => {
    vi.useFakeTimers()
    const { box, dropped } = outbox({ maxAge: 1_000 })
    const firstSent = performance.now()
    vi.advanceTimersByTime(900)
    box.retry(msg('old reply'), firstSent)
    box.retry(msg('new reply'), performance.now())
    vi.advanceTimersByTime(200)
    expect(dropped).toEqual([['old reply', 'expired']])
  })

  it('on close rejects what waits and refuses what comes, reporting both', async () => {
    const { box, dropped } = outbox()
    const waiting = box.send(msg('waiting'))
    box.close()
    await expect(waiting).rejects.toMatchObject({ reason: 'stopped' })
    await expect(box.send(msg('too late'))).rejects.toMatchObject({ reason: 'stopped' })
    expect(dropped).toEqual([
      ['waiting', 'stopped'],
      ['too late', 'stopped'],
    ])
  })
})
