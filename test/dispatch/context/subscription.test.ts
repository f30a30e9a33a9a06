import { type SubscriptionContext, xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { ALICE, testBot } from '../../support/unit.js'

describe('SubscriptionContext', () => {
  it.each([
    ['approve', 'subscribed'],
    ['deny', 'unsubscribed'],
    ['subscribeBack', 'subscribe'],
  ] as const)("%s() sends %s presence to the sender's bare JID", async (action, type) => {
    const { bot, chat } = testBot()
    bot.subscription({ type: 'subscribe' }, (req) => req[action]())
    const out = await chat.receive(xml('presence', { from: ALICE, type: 'subscribe' }))
    expect(out).toHaveLength(1)
    expect(out[0]?.name).toBe('presence')
    expect(out[0]?.attrs).toEqual({ to: 'alice@example.org', type })
  })

  it('approves and subscribes back in one handler', async () => {
    const { bot, chat } = testBot()
    bot.subscription({ type: 'subscribe' }, async (req) => {
      await req.approve()
      await req.subscribeBack()
    })
    const out = await chat.receive(xml('presence', { from: 'alice@example.org', type: 'subscribe' }))
    expect(out.map((s) => s.attrs.type)).toEqual(['subscribed', 'subscribe'])
  })

  it.each(['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed'] as const)('reads type %s', async (type) => {
    const { bot, chat } = testBot()
    let seen: SubscriptionContext | undefined
    bot.subscription({ type }, (s) => {
      seen = s
    })
    await chat.receive(xml('presence', { from: ALICE, type }))
    expect(seen).toMatchObject({ kind: 'subscription', type, from: ALICE })
  })
})
