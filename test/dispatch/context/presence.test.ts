import { type PresenceContext, type XmlElement, xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { ALICE, testBot } from '../../support/unit.js'

async function contextOf(stanza: XmlElement): Promise<PresenceContext | undefined> {
  const { bot, chat } = testBot()
  let seen: PresenceContext | undefined
  bot.presence((p) => {
    seen = p
  })
  await chat.receive(stanza)
  return seen
}

describe('PresenceContext', () => {
  it('reads show, status and priority', async () => {
    const p = await contextOf(xml('presence', { from: ALICE }, xml('show', {}, 'dnd'), xml('status', {}, 'In a meeting'), xml('priority', {}, '-5')))
    expect(p).toMatchObject({ kind: 'presence', type: 'available', show: 'dnd', status: 'In a meeting', priority: -5 })
  })

  it('reads a presence without type as available, plainly', async () => {
    expect(await contextOf(xml('presence', { from: ALICE }))).toMatchObject({ type: 'available', show: undefined, status: undefined, priority: 0 })
  })

  it.each(['unavailable', 'probe', 'error'])('reads type %s', async (type) => {
    expect((await contextOf(xml('presence', { from: ALICE, type })))?.type).toBe(type)
  })

  it('drops an unknown show value', async () => {
    expect((await contextOf(xml('presence', { from: ALICE }, xml('show', {}, 'sleeping'))))?.show).toBeUndefined()
  })

  it.each(['200', '-129', 'high', ''])('reads the out-of-range or malformed priority %j as 0', async (priority) => {
    expect((await contextOf(xml('presence', { from: ALICE }, xml('priority', {}, priority))))?.priority).toBe(0)
  })

  it('never sees subscription requests', async () => {
    expect(await contextOf(xml('presence', { from: ALICE, type: 'subscribe' }))).toBeUndefined()
  })

  it('can be guarded on show and status', async () => {
    const { bot, chat } = testBot()
    const seen: string[] = []
    bot.presence({ show: ['away', 'xa'], status: /lunch/i }, (p) => {
      seen.push(p.from)
    })
    await chat.receive(xml('presence', { from: ALICE }, xml('show', {}, 'away'), xml('status', {}, 'Lunch')))
    await chat.receive(xml('presence', { from: 'bob@example.org/x' }, xml('show', {}, 'dnd'), xml('status', {}, 'Lunch')))
    await chat.receive(xml('presence', { from: 'carol@example.org/x' }, xml('show', {}, 'away')))
    expect(seen).toEqual([ALICE])
  })
})
