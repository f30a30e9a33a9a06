import { describe, expect, it } from 'vitest'
import { TokenBuckets } from '../../src/pacing/token-buckets.js'
import { handClock } from '../support/hand-clock.js'

describe('TokenBuckets', () => {
  it('gives a burst at once, then tokens at the rate', () => {
    const time = handClock()
    const buckets = new TokenBuckets({ rate: 2, burst: 3 }, 100, time.now)
    expect([1, 2, 3].map(() => buckets.take('a'))).toEqual([true, true, true])
    time.advance(500)
    expect([buckets.take('a'), buckets.take('a')]).toEqual([true, false])
    time.advance(60_000)
    expect([1, 2, 3, 4].map(() => buckets.take('a'))).toEqual([true, true, true, false])
  })

  it('puts a sender that keeps going while refused into debt, so that a loop gets nothing through', () => {
    const time = handClock()
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
    const buckets = new TokenBuckets({ rate: 1, burst: 1 }, 100, handClock().now)
    expect([buckets.take('a'), buckets.take('a'), buckets.take('b')]).toEqual([true, false, true])
  })

  it('holds at most max buckets: a new key takes the place of a bucket only once that one is full again', () => {
    const time = handClock()
    const buckets = new TokenBuckets({ rate: 1, burst: 1 }, 2, time.now)
    buckets.take('a')
    buckets.take('b')
    // Every bucket still remembers its sender: c gets the shared bucket, not a fresh one of its own.
    expect(buckets.take('c')).toBe(true)
    expect(buckets.take('d')).toBe(false)
    expect(buckets.size).toBe(2)
    // Once a is full again it tells nothing a new bucket would not: forgotten for e.
    time.advance(1_000)
    buckets.take('b')
    expect(buckets.take('e')).toBe(true)
    expect(buckets.take('b')).toBe(false)
    expect(buckets.size).toBe(2)
  })

  it('gives no fresh bucket to a sender that crowds out the others with new names', () => {
    const time = handClock()
    const buckets = new TokenBuckets({ rate: 1, burst: 2 }, 3, time.now)
    for (const key of ['a', 'b', 'c']) for (let i = 0; i < 3; i++) buckets.take(key)
    // A hundred new names share one bucket of two tokens; a, b and c are still remembered as empty.
    const through = Array.from({ length: 100 }, (_, i) => buckets.take(`new-${i}`)).filter(Boolean).length
    expect(through).toBe(2)
    expect(buckets.take('a')).toBe(false)
  })
})
