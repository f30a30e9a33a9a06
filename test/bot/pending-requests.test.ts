import { createBot, StanzaError, type XmlElement, xml } from 'natter'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PendingRequests } from '../../src/bot/pending-requests.js'
import { BOT, NS_STANZAS, testBot } from '../support/unit.js'

const ALICE = 'alice@example.org/phone'

function result(id: string, from: string | undefined): XmlElement {
  return xml('iq', { type: 'result', id, from })
}

function error(id: string, from: string, condition: string, type = 'cancel', text?: string): XmlElement {
  return xml(
    'iq',
    { type: 'error', id, from },
    xml('error', { type }, xml(condition, { xmlns: NS_STANZAS }), text !== undefined && xml('text', { xmlns: NS_STANZAS }, text)),
  )
}

afterEach(() => {
  vi.useRealTimers()
})

describe('PendingRequests', () => {
  const own = () => BOT

  it('hands out distinct ids', () => {
    const requests = new PendingRequests(own)
    const ids = new Set(Array.from({ length: 100 }, () => requests.id()))
    expect(ids.size).toBe(100)
  })

  it('settles a request with the reply that has its id and comes from the addressee', async () => {
    const requests = new PendingRequests(own)
    const reply = requests.expect('r1', ALICE, 1000)
    const answer = result('r1', ALICE)
    expect(requests.settle(answer)).toBe(true)
    await expect(reply).resolves.toBe(answer)
  })

  it('ignores a forged reply from another JID, and still takes the real one', async () => {
    const requests = new PendingRequests(own)
    const reply = requests.expect('r1', ALICE, 1000)
    expect(requests.settle(result('r1', 'mallory@example.net/x'))).toBe(false)
    expect(requests.settle(result('r1', 'alice@example.org/laptop'))).toBe(false)
    expect(requests.settle(result('r1', 'alice@example.org'))).toBe(false)
    expect(requests.settle(result('r1', undefined))).toBe(false)
    expect(requests.settle(result('r1', ALICE))).toBe(true)
    await expect(reply).resolves.toMatchObject({ attrs: { from: ALICE } })
  })

  it('ignores a reply with an id nobody waits for, or none', () => {
    const requests = new PendingRequests(own)
    void requests.expect('r1', ALICE, 1000).catch(() => {})
    expect(requests.settle(result('r2', ALICE))).toBe(false)
    expect(requests.settle(xml('iq', { type: 'result', from: ALICE }))).toBe(false)
    requests.rejectAll(new Error('done'))
  })

  it('settles each request once', async () => {
    const requests = new PendingRequests(own)
    const reply = requests.expect('r1', ALICE, 1000)
    expect(requests.settle(result('r1', ALICE))).toBe(true)
    expect(requests.settle(result('r1', ALICE))).toBe(false)
    await reply
  })

  it('compares JIDs the way XMPP does, ignoring the case of the local part and domain', async () => {
    const requests = new PendingRequests(own)
    const reply = requests.expect('r1', 'Alice@Example.org/phone', 1000)
    expect(requests.settle(result('r1', 'alice@example.ORG/phone'))).toBe(true)
    await reply
  })

  it('rejects with the StanzaError of an error reply', async () => {
    const requests = new PendingRequests(own)
    const reply = requests.expect('r1', ALICE, 1000)
    requests.settle(error('r1', ALICE, 'item-not-found', 'cancel', 'no such thing'))
    const failure = await reply.catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(StanzaError)
    expect(failure).toMatchObject({ condition: 'item-not-found', type: 'cancel', text: 'no such thing' })
  })

  it('ignores a forged error reply too', async () => {
    const requests = new PendingRequests(own)
    const reply = requests.expect('r1', ALICE, 1000)
    expect(requests.settle(error('r1', 'mallory@example.net/x', 'forbidden'))).toBe(false)
    requests.settle(result('r1', ALICE))
    await expect(reply).resolves.toBeDefined()
  })

  describe("a request to the bot's own server or account (no `to`)", () => {
    it.each([undefined, 'example.org', 'bot@example.org', BOT])('takes a reply from %j', async (from) => {
      const requests = new PendingRequests(own)
      const reply = requests.expect('r1', undefined, 1000)
      expect(requests.settle(result('r1', from))).toBe(true)
      await reply
    })

    it.each(['other.org', 'bot@example.org/other', 'alice@example.org'])('ignores a reply from %j', (from) => {
      const requests = new PendingRequests(own)
      void requests.expect('r1', undefined, 1000).catch(() => {})
      expect(requests.settle(result('r1', from))).toBe(false)
      requests.rejectAll(new Error('done'))
    })
  })

  it("takes the server's reply, with or without from, to a request to the bot's own bare JID", async () => {
    const requests = new PendingRequests(own)
    const first = requests.expect('r1', 'bot@example.org', 1000)
    const second = requests.expect('r2', 'bot@example.org', 1000)
    expect(requests.settle(result('r1', undefined))).toBe(true)
    expect(requests.settle(result('r2', 'bot@example.org'))).toBe(true)
    await Promise.all([first, second])
  })

  it('rejects with remote-server-timeout when no reply comes in time, and forgets the request', async () => {
    vi.useFakeTimers()
    const requests = new PendingRequests(own)
    const reply = requests.expect('r1', ALICE, 5000)
    const failure = reply.catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(4999)
    expect(requests.settle(result('unrelated', ALICE))).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(await failure).toMatchObject({ name: 'StanzaError', condition: 'remote-server-timeout', type: 'wait' })
    expect(requests.settle(result('r1', ALICE))).toBe(false)
  })

  it('does not time out a request that was answered', async () => {
    vi.useFakeTimers()
    const requests = new PendingRequests(own)
    const reply = requests.expect('r1', ALICE, 5000)
    requests.settle(result('r1', ALICE))
    await vi.advanceTimersByTimeAsync(10_000)
    await expect(reply).resolves.toBeDefined()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('cancel() fails one request and stops its timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const requests = new PendingRequests(own)
    const reply = requests.expect('r1', ALICE, 1000)
    requests.cancel('r1', new Error('not sent'))
    await expect(reply).rejects.toThrow('not sent')
    expect(vi.getTimerCount()).toBe(0)
    expect(requests.settle(result('r1', ALICE))).toBe(false)
  })

  it('rejectAll() fails every outstanding request', async () => {
    const requests = new PendingRequests(own)
    const replies = [requests.expect('r1', ALICE, 1000), requests.expect('r2', undefined, 1000)]
    requests.rejectAll(new Error('the bot stopped'))
    for (const reply of replies) await expect(reply).rejects.toThrow('the bot stopped')
    expect(requests.settle(result('r1', ALICE))).toBe(false)
  })
})

describe('StanzaError.fromStanza', () => {
  it('reads an error reply without details as undefined-condition', () => {
    expect(StanzaError.fromStanza(xml('iq', { type: 'error' }))).toMatchObject({ condition: 'undefined-condition', type: 'cancel', text: undefined })
  })

  it('skips the text and foreign elements when looking for the condition', () => {
    const reply = xml(
      'iq',
      { type: 'error' },
      xml(
        'error',
        { type: 'wait' },
        xml('text', { xmlns: NS_STANZAS }, 'later'),
        xml('app-specific', { xmlns: 'urn:example' }),
        xml('resource-constraint', { xmlns: NS_STANZAS }),
      ),
    )
    expect(StanzaError.fromStanza(reply)).toMatchObject({ condition: 'resource-constraint', type: 'wait', text: 'later' })
  })
})

describe('bot.request', () => {
  it("sends the IQ and resolves with the addressee's reply, ignoring a forged one", async () => {
    const { bot, chat } = testBot()
    const pending = bot.request({ to: ALICE, type: 'get', payload: xml('query', { xmlns: 'urn:example:q' }) })
    const sent = chat.sent.at(-1)
    expect(sent?.attrs).toMatchObject({ to: ALICE, type: 'get' })
    expect(sent?.getChild('query', 'urn:example:q')).toBeDefined()
    const id = sent?.attrs.id as string
    await chat.receive(xml('iq', { type: 'result', id, from: 'mallory@example.net/x' }, xml('query', { xmlns: 'urn:example:q' }, 'forged')))
    let settled = false
    void pending.then(() => (settled = true))
    await Promise.resolve()
    expect(settled).toBe(false)
    await chat.receive(xml('iq', { type: 'result', id, from: ALICE }, xml('query', { xmlns: 'urn:example:q' }, 'real')))
    expect((await pending).getChildText('query', 'urn:example:q')).toBe('real')
  })

  it('rejects with the StanzaError of an error reply', async () => {
    const { bot, chat } = testBot()
    const pending = bot.request({ to: ALICE, type: 'set', payload: xml('query', { xmlns: 'urn:example:q' }) })
    await chat.receive(error(chat.sent.at(-1)?.attrs.id as string, ALICE, 'forbidden', 'auth'))
    await expect(pending).rejects.toMatchObject({ condition: 'forbidden', type: 'auth' })
  })

  it('rejects with remote-server-timeout after the timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { bot } = testBot()
    const pending = bot.request({ to: ALICE, type: 'get', payload: xml('query', { xmlns: 'urn:example:q' }), timeout: 2000 })
    const failure = pending.catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(2000)
    expect(await failure).toMatchObject({ condition: 'remote-server-timeout' })
  })

  it('ping() sends a XEP-0199 ping and resolves with the round trip', async () => {
    const { bot, chat } = testBot()
    const pending = bot.ping(ALICE)
    const sent = chat.sent.at(-1)
    expect(sent?.getChild('ping', 'urn:xmpp:ping')).toBeDefined()
    expect(sent?.attrs.to).toBe(ALICE)
    await chat.receive(result(sent?.attrs.id as string, ALICE))
    const rtt = await pending
    expect(typeof rtt).toBe('number')
    expect(rtt).toBeGreaterThanOrEqual(0)
  })

  it("ping() without a JID pings the bot's server", async () => {
    const { bot, chat } = testBot()
    const pending = bot.ping()
    const sent = chat.sent.at(-1)
    expect(sent?.attrs.to).toBeUndefined()
    await chat.receive(result(sent?.attrs.id as string, 'example.org'))
    await pending
  })

  it('fails at once when the bot is not started, leaving no timer behind', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    await expect(createBot({ env: {} }).request({ to: ALICE, type: 'get', payload: xml('ping', { xmlns: 'urn:xmpp:ping' }) })).rejects.toThrow(/not started/)
    await expect(createBot({ env: {} }).ping()).rejects.toThrow(/not started/)
    expect(vi.getTimerCount()).toBe(0)
  })
})
