import { describe, expect, it } from 'vitest'
import { AckWindow } from '../../src/wire/ack-window.js'

function windowAt(): { window: AckWindow; advance(ms: number): void } {
  let now = 0
  return { window: new AckWindow(16_000, 256_000, () => now), advance: (ms) => (now += ms) }
}

describe('AckWindow', () => {
  it('starts at its minimum', () => {
    expect(windowAt().window.size).toBe(16_000)
  })

  it('grows to about a second of what a fast server acknowledged while the window held the bot back, up to its maximum', () => {
    const { window, advance } = windowAt()
    window.blocked()
    advance(1_000)
    window.acknowledged(100_000)
    expect(window.size).toBe(100_000)
    window.blocked()
    advance(1_000)
    window.acknowledged(1_100_000)
    expect(window.size).toBe(256_000)
  })

  it('shrinks to its minimum at the pace of a throttling server', () => {
    const { window, advance } = windowAt()
    window.blocked()
    advance(1_000)
    window.acknowledged(200_000)
    window.blocked()
    advance(2_000)
    window.acknowledged(206_000)
    expect(window.size).toBe(16_000)
  })

  it('learns nothing from a second in which the window never held the bot back', () => {
    const { window, advance } = windowAt()
    window.blocked()
    advance(1_000)
    window.acknowledged(100_000)
    advance(1_000)
    window.acknowledged(100_500)
    expect(window.size).toBe(100_000)
  })

  it('measures over a second at least', () => {
    const { window, advance } = windowAt()
    window.blocked()
    advance(500)
    window.acknowledged(100_000)
    expect(window.size).toBe(16_000)
  })
})
