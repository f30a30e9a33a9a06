import { xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { ReplayFilter } from '../../src/wire/replay-filter.js'

const message = (id: string | undefined, delayed = false, from = 'alice@example.org/phone') =>
  xml('message', { from, id, type: 'chat' }, xml('body', {}, 'hi'), delayed && xml('delay', { xmlns: 'urn:xmpp:delay', stamp: '2024-01-01T00:00:00Z' }))

describe('ReplayFilter', () => {
  it('spots a delayed copy of a message it saw, from the same sender with the same id', () => {
    const filter = new ReplayFilter()
    expect(filter.isReplay(message('m1'))).toBe(false)
    expect(filter.isReplay(message('m1', true))).toBe(true)
  })

  it('lets a delayed message through the first time, such as one kept offline, and spots it the second', () => {
    const filter = new ReplayFilter()
    expect(filter.isReplay(message('offline', true))).toBe(false)
    expect(filter.isReplay(message('offline', true))).toBe(true)
  })

  it('lets a live message through even when its id was seen: some clients reuse ids', () => {
    const filter = new ReplayFilter()
    filter.isReplay(message('same'))
    expect(filter.isReplay(message('same'))).toBe(false)
  })

  it('tells senders apart, and ignores messages without an id and other stanzas', () => {
    const filter = new ReplayFilter()
    filter.isReplay(message('m1'))
    expect(filter.isReplay(message('m1', true, 'bob@example.org/pc'))).toBe(false)
    filter.isReplay(message(undefined))
    expect(filter.isReplay(message(undefined, true))).toBe(false)
    const iq = xml('iq', { from: 'alice@example.org/phone', id: 'q1', type: 'get' })
    filter.isReplay(iq)
    expect(filter.isReplay(iq)).toBe(false)
  })

  it('remembers the latest of a message handled twice live, and the last `size` messages of a long run', () => {
    const filter = new ReplayFilter({ size: 100 })
    for (let i = 0; i < 5; i++) filter.isReplay(message('same'), i)
    expect(filter.isReplay(message('same', true), 10)).toBe(true)
    for (let i = 0; i < 10_000; i++) filter.isReplay(message(`m${i}`), 20 + i)
    expect(filter.isReplay(message('m9900', true), 20_000)).toBe(true)
    expect(filter.isReplay(message('m9899', true), 20_000)).toBe(false)
    expect(filter.isReplay(message('same', true), 20_000)).toBe(false)
  })

  it('forgets beyond its size and its age', () => {
    const filter = new ReplayFilter({ size: 2, age: 1_000 })
    filter.isReplay(message('a'), 0)
    filter.isReplay(message('b'), 0)
    filter.isReplay(message('c'), 0)
    expect(filter.isReplay(message('a', true), 10)).toBe(false)
    expect(filter.isReplay(message('c', true), 10)).toBe(true)
    expect(filter.isReplay(message('c', true), 5_000)).toBe(false)
  })
})
