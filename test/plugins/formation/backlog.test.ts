import { describe, expect, it } from 'vitest'
import { xml } from 'natter'
import { Backlog } from '../../../src/plugins/formation/backlog.js'

const held = (n: number, owner: string, at: number) => ({ stanza: xml('message', { id: `m${n}` }), key: `k${n % 2}`, owner, at })

describe('Backlog', () => {
  it('hands out, in arrival order, what a member held and may not have answered, once', () => {
    const backlog = new Backlog(10_000)
    for (let n = 0; n < 6; n++) backlog.add(held(n, n < 4 ? 'one' : 'two', n))
    const taken = backlog.takeOver('one', (item) => item.at >= 1)
    expect(taken.map((item) => item.stanza.attrs.id)).toEqual(['m1', 'm2', 'm3'])
    expect(backlog.takeOver('one', () => true).map((item) => item.stanza.attrs.id)).toEqual(['m0'])
    expect(backlog.size).toBe(2)
  })

  it('forgets what is older than its age bound, and keeps at most its count', () => {
    const backlog = new Backlog(100, 3)
    backlog.add(held(0, 'one', 0))
    backlog.add(held(1, 'one', 150))
    expect(backlog.size).toBe(1)
    for (let n = 2; n < 6; n++) backlog.add(held(n, 'one', 150))
    expect(backlog.size).toBe(3)
  })
})
