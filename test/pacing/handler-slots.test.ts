import { describe, expect, it } from 'vitest'
import { HandlerSlots } from '../../src/pacing/handler-slots.js'

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
