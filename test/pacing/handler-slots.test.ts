import { describe, expect, it } from 'vitest'
import { HandlerSlots, type SlotLimits } from '../../src/pacing/handler-slots.js'

const stranger = { trusted: false, bytes: 100 }
const contact = { trusted: true, bytes: 100 }
const roomy: SlotLimits = { perKey: 2, total: 4, reserved: 0, queuePerKey: 100, queueTotal: 1000, queueBytesPerKey: 1e9, queueBytesTotal: 1e9 }

/** Enters `key`, noting in `order` when its handler may start; a refusal is noted as `key!`. */
function enter(slots: HandlerSlots, key: string, order: string[], who = stranger): void {
  const entry = slots.enter(key, who)
  if (entry === true) order.push(key)
  else if (entry === false) order.push(`${key}!`)
  else void entry.then(() => order.push(key))
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

describe('HandlerSlots', () => {
  it('runs up to perKey for one key and lines up the rest, in the order they came', async () => {
    const slots = new HandlerSlots(roomy)
    const order: string[] = []
    for (const key of ['a', 'a', 'a', 'a']) enter(slots, key, order)
    expect(order).toEqual(['a', 'a'])
    expect([slots.running, slots.waiting]).toEqual([2, 2])
    slots.leave('a')
    await turn()
    expect(order).toEqual(['a', 'a', 'a'])
  })

  it('serves the waiting senders in turn, one stanza each, not in the order they came', async () => {
    const slots = new HandlerSlots({ ...roomy, perKey: 1, total: 1 })
    const order: string[] = []
    enter(slots, 'flood', order)
    for (let i = 0; i < 5; i++) enter(slots, 'flood', order)
    for (let i = 0; i < 5; i++) enter(slots, 'crowd', order)
    enter(slots, 'alice', order)
    for (let i = 0; i < 6; i++) {
      slots.leave(order.at(-1) as string)
      await turn()
    }
    // Alice came after eleven stanzas of two floods and waited for two of them, not eleven.
    expect(order).toEqual(['flood', 'flood', 'crowd', 'alice', 'flood', 'crowd', 'flood'])
  })

  it('keeps the reserved slots for trusted senders: strangers wait while a contact starts at once', async () => {
    const slots = new HandlerSlots({ ...roomy, reserved: 2 })
    const order: string[] = []
    for (const key of ['s1', 's1', 's2', 's2']) enter(slots, key, order)
    expect(order).toEqual(['s1', 's1'])
    expect(slots.running).toBe(2)
    enter(slots, 'alice', order, contact)
    expect(order.at(-1)).toBe('alice')
    expect([slots.running, slots.waiting]).toEqual([3, 2])
    // A contact leaving frees a reserved slot: no stranger may take it.
    slots.leave('alice')
    await turn()
    expect(slots.running).toBe(2)
    // A stranger leaving frees a stranger's slot: the next stranger in turn takes it.
    slots.leave('s1')
    await turn()
    expect(order.at(-1)).toBe('s2')
  })

  it('bounds the line per sender and overall, in stanzas', () => {
    const slots = new HandlerSlots({ ...roomy, perKey: 1, total: 1, queuePerKey: 2, queueTotal: 3 })
    const order: string[] = []
    for (const key of ['a', 'a', 'a', 'a', 'b', 'b']) enter(slots, key, order)
    expect(order).toEqual(['a', 'a!', 'b!'])
    expect(slots.waiting).toBe(3)
  })

  it('bounds the line in bytes: a few heavy stanzas fill it as many light ones would', () => {
    const slots = new HandlerSlots({ ...roomy, perKey: 1, total: 1, queueBytesPerKey: 1_000, queueBytesTotal: 1_500 })
    const order: string[] = []
    const heavy = { trusted: false, bytes: 600 }
    enter(slots, 'a', order, heavy)
    enter(slots, 'a', order, heavy)
    enter(slots, 'a', order, heavy)
    enter(slots, 'b', order, heavy)
    enter(slots, 'c', order, heavy)
    expect(order).toEqual(['a', 'a!', 'c!'])
    expect(slots.waitingBytes).toBe(1_200)
  })

  it('keeps a share of the line for trusted senders', () => {
    const slots = new HandlerSlots({ ...roomy, perKey: 1, total: 4, reserved: 2, queueTotal: 4 })
    const order: string[] = []
    for (let i = 0; i < 6; i++) enter(slots, 'stranger', order)
    // Two running, two waiting (half the line), the rest refused.
    expect(order).toEqual(['stranger', 'stranger!', 'stranger!', 'stranger!'])
    expect(slots.waiting).toBe(2)
    enter(slots, 'alice', order, contact)
    enter(slots, 'alice', order, contact)
    enter(slots, 'alice', order, contact)
    expect(slots.waiting).toBe(4)
  })

  it('forgets a sender once it has nothing running or waiting', async () => {
    const slots = new HandlerSlots({ ...roomy, perKey: 1, total: 1 })
    const order: string[] = []
    enter(slots, 'a', order)
    enter(slots, 'a', order)
    slots.leave('a')
    await turn()
    slots.leave('a')
    expect([slots.running, slots.waiting, slots.waitingBytes]).toEqual([0, 0, 0])
    // A leave without an enter is ignored, not counted below zero.
    slots.leave('a')
    expect(slots.running).toBe(0)
  })
})
