import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Liveness } from '../../src/wire/liveness.js'

/** A link whose traffic the test makes up; performance.now() is faked along with the timers. */
function fakeLink() {
  const link = {
    lastActivity: performance.now(),
    pings: 0,
    ping() {
      link.pings += 1
    },
    /** Something came in from the server. */
    hear() {
      link.lastActivity = performance.now()
    },
  }
  return link
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
})

afterEach(() => {
  vi.useRealTimers()
})

describe('Liveness', () => {
  it('pings after `interval` of silence and declares the link dead `timeout` later', () => {
    const link = fakeLink()
    const dead = vi.fn()
    new Liveness({ interval: 60_000, timeout: 10_000 }, link, dead).start()
    vi.advanceTimersByTime(59_999)
    expect(link.pings).toBe(0)
    vi.advanceTimersByTime(1)
    expect(link.pings).toBe(1)
    vi.advanceTimersByTime(9_999)
    expect(dead).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(dead).toHaveBeenCalledOnce()
  })

  it('takes any inbound traffic after the ping as its answer, and keeps watching', () => {
    const link = fakeLink()
    const dead = vi.fn()
    new Liveness({ interval: 2_000, timeout: 1_000 }, link, dead).start()
    for (let round = 1; round <= 5; round++) {
      vi.advanceTimersByTime(2_000)
      expect(link.pings).toBe(round)
      vi.advanceTimersByTime(200)
      link.hear()
    }
    vi.advanceTimersByTime(10_000)
    expect(link.pings).toBe(6)
    expect(dead).toHaveBeenCalledOnce()
  })

  it('never pings a link that keeps talking', () => {
    const link = fakeLink()
    const dead = vi.fn()
    new Liveness({ interval: 2_000, timeout: 1_000 }, link, dead).start()
    for (let i = 0; i < 50; i++) {
      vi.advanceTimersByTime(1_500)
      link.hear()
    }
    expect(link.pings).toBe(0)
    expect(dead).not.toHaveBeenCalled()
  })

  it('does nothing once stopped', () => {
    const link = fakeLink()
    const dead = vi.fn()
    const liveness = new Liveness({ interval: 2_000, timeout: 1_000 }, link, dead)
    liveness.start()
    vi.advanceTimersByTime(2_500)
    liveness.stop()
    vi.advanceTimersByTime(60_000)
    expect(link.pings).toBe(1)
    expect(dead).not.toHaveBeenCalled()
  })
})
