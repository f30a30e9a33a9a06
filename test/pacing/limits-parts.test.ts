import { describe, expect, it } from 'vitest'
import { HandlerSlots } from '../../src/pacing/handler-slots.js'
import { OncePer } from '../../src/pacing/once-per.js'
import { TokenBuckets } from '../../src/pacing/token-buckets.js'

/** A clock the test moves by hand. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0
  return { now: () => t, advance: (ms) => (t += ms) }
}

describe('OncePer', () => {
  it('lets each key have one turn per interval', () => {
    const time = clock()
    const once = new OncePer(1_000, 100, time.now)
    expect([once.take('a'), once.take('a'), once.take('b')]).toEqual([true, false, true])
    time.advance(999)
    expect(once.take('a')).toBe(false)
    time.advance(1)
    expect(once.take('a')).toBe(true)
  })

  it('keeps at most max keys, forgetting the oldest', () => {
    const time = clock()
    const once = new OncePer(60_000, 3, time.now)
    for (const key of ['a', 'b', 'c', 'd']) once.take(key)
    expect(once.take('a')).toBe(true)
    expect(once.take('d')).toBe(false)
  })
})

describe('TokenBuckets', () => {
  it('gives a burst at once, then tokens at the rate', () => {
    const time = clock()
    const buckets = new TokenBuckets({ rate: 2, burst: 3 }, 100, time.now)
    expect([1, 2, 3].map(() => buckets.take('a'))).toEqual([true, true, true])
    time.advance(500)
    expect([buckets.take('a'), buckets.take('a')]).toEqual([true, false])
    time.advance(60_000)
    expect([1, 2, 3, 4].map(() => buckets.take('a'))).toEqual([true, true, true, false])
  })

  it('puts a sender that keeps going while refused into debt, so that a loop gets nothing through', () => {
    const time = clock()
    const buckets = new TokenBuckets({ rate: 2, burst: 3 }, 100, time.now)
    for (let i = 0; i < 3; i++) buckets.take('a')
    // Refused four times: four tokens of debt, which a sender at the refill rate never pays off.
    for (let i = 0; i < 4; i++) expect(buckets.take('a')).toBe(false)
    time.advance(500)
    expect(buckets.take('a')).toBe(false)
    // Debt is bounded by the burst: a pause of (burst + 1) / rate seconds always lets it through again.
    time.advance(2_000)
    expect(buckets.take('a')).toBe(true)
  })

  it('keeps senders apart', () => {
    const buckets = new TokenBuckets({ rate: 1, burst: 1 }, 100, clock().now)
    expect([buckets.take('a'), buckets.take('a'), buckets.take('b')]).toEqual([true, false, true])
  })

  it('holds at most max buckets, forgetting the least recently used', () => {
    const buckets = new TokenBuckets({ rate: 1, burst: 1 }, 2, clock().now)
    buckets.take('a')
    buckets.take('b')
    buckets.take('a')
    buckets.take('c')
    // a was used last, so it was kept, and is empty; b was forgotten, and starts again with a full bucket.
    expect([buckets.take('a'), buckets.take('b')]).toEqual([false, true])
  })
})

describe('HandlerSlots', () => {
  const limits = { perKey: 2, total: 3, queuePerKey: 1, queueTotal: 2 }

  it('runs up to perKey for one key, lines up queuePerKey more, refuses the rest', async () => {
    const slots = new HandlerSlots(limits)
    expect(slots.enter('a')).toBe(true)
    expect(slots.enter('a')).toBe(true)
    const waiting = slots.enter('a')
    expect(waiting).toBeInstanceOf(Promise)
    expect(slots.enter('a')).toBe(false)
    let started = false
    void (waiting as Promise<void>).then(() => (started = true))
    slots.leave('a')
    await Promise.resolve()
    expect(started).toBe(true)
    expect(slots.running).toBe(2)
  })

  it('bounds all keys together, first come first served', async () => {
    const slots = new HandlerSlots(limits)
    expect([slots.enter('a'), slots.enter('b'), slots.enter('c')]).toEqual([true, true, true])
    const order: string[] = []
    const d = slots.enter('d') as Promise<void>
    const e = slots.enter('e') as Promise<void>
    expect(slots.enter('f')).toBe(false)
    void d.then(() => order.push('d'))
    void e.then(() => order.push('e'))
    slots.leave('a')
    await Promise.resolve()
    expect(order).toEqual(['d'])
    slots.leave('b')
    await Promise.resolve()
    expect(order).toEqual(['d', 'e'])
    expect(slots.waiting).toBe(0)
  })

  it('hands a freed slot to a waiting stanza that may run, skipping one whose sender is at its own limit', async () => {
    const slots = new HandlerSlots({ perKey: 1, total: 2, queuePerKey: 1, queueTotal: 2 })
    slots.enter('a')
    slots.enter('b')
    const order: string[] = []
    void (slots.enter('a') as Promise<void>).then(() => order.push('a'))
    void (slots.enter('c') as Promise<void>).then(() => order.push('c'))
    slots.leave('b')
    await Promise.resolve()
    expect(order).toEqual(['c'])
  })
})
