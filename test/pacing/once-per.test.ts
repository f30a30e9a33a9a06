import { describe, expect, it } from 'vitest'
import { OncePer } from '../../src/pacing/once-per.js'
import { handClock } from '../support/hand-clock.js'

describe('OncePer', () => {
  it('lets each key have one turn per interval', () => {
    const time = handClock()
    const once = new OncePer(1_000, 100, time.now)
    expect([once.take('a'), once.take('a'), once.take('b')]).toEqual([true, false, true])
    time.advance(999)
    expect(once.take('a')).toBe(false)
    time.advance(1)
    expect(once.take('a')).toBe(true)
  })

  it('keeps at most max keys, forgetting the oldest', () => {
    const time = handClock()
    const once = new OncePer(60_000, 3, time.now)
    for (const key of ['a', 'b', 'c', 'd']) once.take(key)
    expect(once.take('a')).toBe(true)
    expect(once.take('d')).toBe(false)
  })
})
