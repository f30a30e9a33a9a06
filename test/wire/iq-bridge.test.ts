import { type XmlElement, xml } from 'natter'
import { describe, expect, it, vi } from 'vitest'
import type { IqAnswer } from '../../src/iq-answer.js'
import type { Logger } from '../../src/log/logger.js'
import { NS_STANZAS } from '../../src/ns.js'
import { IqBridge, LIVENESS_PING_ID } from '../../src/wire/iq-bridge.js'

function bridge(answer: IqAnswer, maxBytes = 100_000) {
  const asked: XmlElement[] = []
  const warn = vi.fn()
  const iqs = new IqBridge(
    async (iq) => {
      asked.push(iq)
      return answer
    },
    { maxBytes },
    { warn } as unknown as Logger,
  )
  return { iqs, asked, warn }
}

const request = (id = 'q1') => xml('iq', { type: 'get', id, from: 'alice@example.org/phone' }, xml('query', { xmlns: 'urn:x' }))

describe('IqBridge', () => {
  it("hands xmpp.js the bot's result to put in the reply, or an empty object for an empty result", async () => {
    const child = xml('query', { xmlns: 'urn:x' }, xml('item'))
    expect(await bridge({ result: child }).iqs.answer(request())).toBe(child)
    expect(await bridge({ result: undefined }).iqs.answer(request())).toEqual({})
  })

  it("hands xmpp.js the bot's <error/>, and nothing when the bot has no answer", async () => {
    const error = xml('error', { type: 'cancel' }, xml('item-not-found', { xmlns: NS_STANZAS }))
    expect(await bridge({ error }).iqs.answer(request())).toBe(error)
    expect(await bridge(undefined).iqs.answer(request())).toBeUndefined()
  })

  it('answers with an error instead of a result bigger than the server takes', async () => {
    const big = xml('query', { xmlns: 'urn:x' }, 'x'.repeat(10_000))
    const { iqs, warn } = bridge({ result: big }, 8 * 1024)
    const reply = (await iqs.answer(request())) as XmlElement
    expect(reply.name).toBe('error')
    expect(reply.getChild('internal-server-error', NS_STANZAS)).toBeDefined()
    expect(warn).toHaveBeenCalledOnce()
  })

  it("keeps the answers to natter's liveness pings from the bot, not requests that happen to share their ids", async () => {
    const { iqs, asked } = bridge({ result: undefined })
    expect(await iqs.answer(xml('iq', { type: 'result', id: `${LIVENESS_PING_ID}1` }))).toBeUndefined()
    expect(await iqs.answer(xml('iq', { type: 'error', id: `${LIVENESS_PING_ID}2` }))).toBeUndefined()
    expect(asked).toEqual([])
    await iqs.answer(request(`${LIVENESS_PING_ID}3`))
    expect(asked).toHaveLength(1)
  })
})
