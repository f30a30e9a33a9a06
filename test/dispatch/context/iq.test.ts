import { type IqContext, xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { ALICE, errorCondition, testBot } from '../../support/unit.js'

describe('IqContext', () => {
  it('exposes the type, the payload, its namespace and element name', async () => {
    const { bot, chat } = testBot()
    let seen: IqContext | undefined
    bot.iq({ type: 'set' }, (iq) => {
      seen = iq
    })
    await chat.iq(ALICE, 'set', xml('pubsub', { xmlns: 'urn:example:ps' }, xml('item', { id: 'i1' })))
    expect(seen).toMatchObject({ kind: 'iq', type: 'set', xmlns: 'urn:example:ps', element: 'pubsub', from: ALICE })
    expect(seen?.query.getChild('item')?.attrs.id).toBe('i1')
  })

  it('can be guarded on the element name as well as the namespace', async () => {
    const { bot, chat } = testBot()
    bot.iq({ xmlns: 'urn:example:ps', element: 'pubsub' }, () => undefined)
    expect((await chat.iq(ALICE, 'get', xml('pubsub', { xmlns: 'urn:example:ps' }))).attrs.type).toBe('result')
    expect(errorCondition(await chat.iq(ALICE, 'get', xml('other', { xmlns: 'urn:example:ps' })))).toBe('service-unavailable')
  })

  it.each([
    ['no payload', xml('iq', { from: ALICE, type: 'get', id: 'empty' })],
    ['two payloads', xml('iq', { from: ALICE, type: 'get', id: 'two' }, xml('a', { xmlns: 'urn:a' }), xml('b', { xmlns: 'urn:b' }))],
    ['no type', xml('iq', { from: ALICE, id: 'untyped' }, xml('a', { xmlns: 'urn:a' }))],
  ])('is not built for an IQ with %s: the answer is bad-request, as on the wire', async (_case, stanza) => {
    const { bot, chat } = testBot()
    let ran = false
    bot.iq(() => {
      ran = true
    })
    const out = await chat.receive(stanza)
    expect(ran).toBe(false)
    expect(out.map((reply) => [reply.attrs.id, errorCondition(reply)])).toEqual([[stanza.attrs.id, 'bad-request']])
  })
})
