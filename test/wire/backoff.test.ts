import { describe, expect, it } from 'vitest'
import { Backoff } from '../../src/wire/backoff.js'

/** A random source that always returns the same value. */
const fixed = (value: number) => () => value

describe('Backoff', () => {
  it('doubles the ceiling on each attempt, from the initial delay', () => {
    const backoff = new Backoff({ initialDelay: 100, maxDelay: 100_000 }, fixed(1))
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 400, 800])
    expect(backoff.attempt).toBe(4)
  })

  it('never goes above the maximum delay', () => {
    const backoff = new Backoff({ initialDelay: 1000, maxDelay: 5000 }, fixed(1))
    const delays = Array.from({ length: 8 }, () => backoff.next())
    expect(delays).toEqual([1000, 2000, 4000, 5000, 5000, 5000, 5000, 5000])
  })

  it('stays capped after very many attempts instead of overflowing', () => {
    const backoff = new Backoff({ initialDelay: 1000, maxDelay: 60_000 }, fixed(1))
    for (let i = 0; i < 2000; i++) backoff.next()
    expect(backoff.next()).toBe(60_000)
  })

  it('uses full jitter: the delay scales the ceiling by the random draw, down to zero', () => {
    const draws = [0, 0.5, 0.25]
    const backoff = new Backoff({ initialDelay: 1000, maxDelay: 60_000 }, () => draws.shift() ?? 0)
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([0, 1000, 1000])
  })

  it('stays within [0, ceiling] with the real random source', () => {
    const backoff = new Backoff({ initialDelay: 50, maxDelay: 1000 })
    for (let attempt = 0; attempt < 200; attempt++) {
      const ceiling = Math.min(1000, 50 * 2 ** attempt)
      const delay = backoff.next()
      expect(delay).toBeGreaterThanOrEqual(0)
      expect(delay).toBeLessThanOrEqual(ceiling)
    }
  })

  it('starts over from the initial delay after reset()', () => {
    const backoff = new Backoff({ initialDelay: 100, maxDelay: 10_000 }, fixed(1))
    backoff.next()
    backoff.next()
    backoff.next()
    backoff.reset()
    expect(backoff.attempt).toBe(0)
    expect(backoff.next()).toBe(100)
  })

  it('defaults to 1 s growing up to 60 s', () => {
    const backoff = new Backoff({}, fixed(1))
    expect(backoff.next()).toBe(1000)
    for (let i = 0; i < 20; i++) backoff.next()
    expect(backoff.next()).toBe(60_000)
  })
})
