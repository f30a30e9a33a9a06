import { xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { Backlog } from '../../../src/plugins/formation/backlog.js'

const add = (backlog: Backlog, n: number, owner: string, at: number) => backlog.add(xml('message', { id: `m${n}` }), `k${n % 2}`, owner, at)
const ids = (items: ReadonlyArray<{ stanza: { attrs: Record<string, string | undefined> } }>) => items.map((item) => item.stanza.attrs.id)

describe('Backlog', () => {
  it('hands out, in arrival order, what a dead member held and had not answered, once', () => {
    const backlog = new Backlog(10_000)
    for (let n = 0; n < 6; n++) add(backlog, n, n < 4 ? 'one' : 'two', n)
    const taken = backlog.takeOver('one', (item) => (item.since >= 1 ? 'mine' : 'answered'), 10)
    expect(ids(taken)).toEqual(['m1', 'm2', 'm3'])
    expect(backlog.takeOver('one', () => 'mine', 11)).toEqual([])
    expect(backlog.size).toBe(2)
  })

  it("passes what goes to an heir on to it, from the takeover on, so the heir's death loses nothing", () => {
    const backlog = new Backlog(10_000)
    for (let n = 0; n < 4; n++) add(backlog, n, 'one', n)
    expect(backlog.takeOver('one', (item) => (item.key === 'k0' ? 'two' : 'mine'), 50).length).toBe(2)
    const inherited = backlog.takeOver('two', (item) => (item.since >= 50 ? 'mine' : 'answered'), 60)
    expect(ids(inherited)).toEqual(['m0', 'm2'])
  })

  it('forgets what came in longer ago than its age bound, and keeps at most its count', () => {
    const backlog = new Backlog(100, 3)
    add(backlog, 0, 'one', 0)
    add(backlog, 1, 'one', 150)
    expect(backlog.size).toBe(1)
    for (let n = 2; n < 6; n++) add(backlog, n, 'one', 150)
    expect(backlog.size).toBe(3)
  })

  it('keeps at most its bytes: heavy stanzas push the oldest out, and what leaves is no longer counted', () => {
    const backlog = new Backlog(10_000, 10_000, 50_000)
    const heavy = (n: number) => backlog.add(xml('message', { id: `h${n}` }, xml('pad', {}, 'x'.repeat(20_000))), 'k', 'one', n)
    for (let n = 0; n < 5; n++) heavy(n)
    expect(backlog.size).toBe(2)
    expect(backlog.bytes).toBeGreaterThan(40_000)
    expect(backlog.bytes).toBeLessThanOrEqual(50_000)
    expect(ids(backlog.takeOver('one', () => 'mine', 10))).toEqual(['h3', 'h4'])
    expect(backlog.bytes).toBe(0)
  })
})
