import { Writable } from 'node:stream'
import { ConfigError, createBot, type StanzaContext, StanzaError, xml } from 'natter'
import { describe, expect, it, vi } from 'vitest'
import { BotCore } from '../../src/bot/bot-core.js'
import { ALICE, BOT, errorCondition, message, NS_STANZAS, settle, testBot } from '../support/unit.js'

/** A log destination that keeps the JSON lines pino writes. */
function logSink(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    },
  })
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  }
}

const query = (xmlns: string, name = 'query') => xml(name, { xmlns })

describe('the handler chain', () => {
  it('tries handlers in registration order and stops at the first that matches', async () => {
    const { bot, chat } = testBot()
    bot.message({ body: 'other' }, (msg) => msg.reply('wrong'))
    bot.message({ body: true }, (msg) => msg.reply('first'))
    bot.message({ body: true }, (msg) => msg.reply('second'))
    expect(await chat.say(ALICE, 'hi')).toEqual(['first'])
  })

  it('passes a stanza on when a handler calls next()', async () => {
    const { bot, chat } = testBot()
    bot.message({ body: true }, async (msg, next) => {
      await msg.reply('looked')
      await next()
    })
    bot.message({ body: true }, (msg) => msg.reply('handled'))
    expect(await chat.say(ALICE, 'hi')).toEqual(['looked', 'handled'])
  })

  it('keeps registration order across every kind of guard, through next()', async () => {
    const { bot, chat } = testBot()
    const calls: string[] = []
    const pass = (name: string) => async (_ctx: unknown, next: () => Promise<boolean>) => {
      calls.push(name)
      await next()
    }
    bot.message({ body: /^x/ }, pass('regexp'))
    bot.message({ type: 'chat' }, pass('type'))
    bot.message(pass('no guard'))
    bot.message({ from: 'alice@example.org' }, pass('from'))
    bot.message({ body: 'x' }, pass('body'))
    bot.message((msg) => msg.body === 'x', pass('predicate'))
    bot.message({ type: 'chat', body: 'y' }, pass('not matching'))
    bot.message([{ body: 'nope' }, { type: ['normal', 'chat'] }], pass('list'))
    await chat.receive(message({}, 'x'))
    expect(calls).toEqual(['regexp', 'type', 'no guard', 'from', 'body', 'predicate', 'list'])
  })

  it('tells full-JID guards from bare ones when choosing a handler', async () => {
    const { bot, chat } = testBot()
    bot.message({ from: 'alice@example.org/phone' }, (msg) => msg.reply('phone'))
    bot.message({ from: 'Alice@Example.org' }, (msg) => msg.reply('any resource'))
    expect(await chat.say('alice@example.org/laptop', 'hi')).toEqual(['any resource'])
    expect(await chat.say('alice@example.org/phone', 'hi')).toEqual(['phone'])
  })

  it('lets middleware see the stanza before the handlers are chosen', async () => {
    const { bot, chat } = testBot()
    const seen: string[] = []
    bot.use((ctx, next) => {
      seen.push(`middleware ${ctx.kind}`)
      return next()
    })
    bot.iq({ xmlns: 'urn:example:a' }, () => {
      seen.push('a')
    })
    bot.iq({ xmlns: 'urn:example:b' }, () => {
      seen.push('b')
    })
    await chat.iq(ALICE, 'get', query('urn:example:b'))
    expect(seen).toEqual(['middleware iq', 'b'])
  })

  it('runs middleware before handlers, for every kind, in registration order', async () => {
    const { bot, chat } = testBot()
    const calls: string[] = []
    bot.use((ctx, next) => {
      calls.push(`a:${ctx.kind}`)
      return next()
    })
    bot.use((ctx, next) => {
      calls.push(`b:${ctx.kind}`)
      return next()
    })
    bot.message(() => {
      calls.push('handler')
    })
    await chat.receive(message({}, 'hi'))
    await chat.receive(xml('presence', { from: ALICE }))
    await chat.receive(xml('presence', { from: ALICE, type: 'subscribe' }))
    await chat.iq(ALICE, 'get', query('urn:example:nothing'))
    expect(calls).toEqual(['a:message', 'b:message', 'handler', 'a:presence', 'b:presence', 'a:subscription', 'b:subscription', 'a:iq', 'b:iq'])
  })

  it('lets middleware stop a stanza, for access control', async () => {
    const { bot, chat } = testBot()
    bot.use((ctx, next) => (ctx.from.startsWith('alice@') ? next() : undefined))
    bot.message({ body: true }, (msg) => msg.reply('ok'))
    expect(await chat.say(ALICE, 'hi')).toEqual(['ok'])
    expect(await chat.say('mallory@example.net/x', 'hi')).toEqual([])
  })

  it('routes subscription presences to subscription handlers only', async () => {
    const { bot, chat } = testBot()
    const kinds: string[] = []
    bot.presence(() => {
      kinds.push('presence')
    })
    bot.subscription(() => {
      kinds.push('subscription')
    })
    for (const type of ['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed']) await chat.receive(xml('presence', { from: ALICE, type }))
    await chat.receive(xml('presence', { from: ALICE, type: 'unavailable' }))
    expect(kinds).toEqual(['subscription', 'subscription', 'subscription', 'subscription', 'presence'])
  })
})

describe('errors', () => {
  it('reach the catch hook with the context, and the bot goes on', async () => {
    const { bot, chat } = testBot()
    const caught: Array<[unknown, StanzaContext]> = []
    bot.catch((error, ctx) => {
      caught.push([error, ctx])
    })
    bot.message({ body: 'boom' }, () => {
      throw new Error('handler bug')
    })
    bot.message({ body: true }, (msg) => msg.reply('still here'))
    expect(await chat.say(ALICE, 'boom')).toEqual([expect.stringMatching(/^Sorry, something went wrong/)])
    expect(caught).toHaveLength(1)
    expect((caught[0]?.[0] as Error | undefined)?.message).toBe('handler bug')
    expect(caught[0]?.[1]?.kind).toBe('message')
    expect(caught[0]?.[1].from).toBe(ALICE)
    expect(await chat.say(ALICE, 'hello')).toEqual(['still here'])
  })

  it('of async handlers and of middleware reach the hook too', async () => {
    const { bot, chat } = testBot()
    const caught: string[] = []
    bot.catch((error) => {
      caught.push((error as Error).message)
    })
    bot.use(async (ctx, next) => {
      if (ctx.kind === 'presence') throw new Error('middleware bug')
      await next()
    })
    bot.message(async () => {
      await settle()
      throw new Error('async bug')
    })
    await chat.receive(message({}, 'x'))
    await chat.receive(xml('presence', { from: ALICE }))
    expect(caught).toEqual(['async bug', 'middleware bug'])
  })

  it('reach the hook when a non-IQ handler throws a StanzaError, e.g. from a request that timed out', async () => {
    const { bot, chat } = testBot()
    const caught: unknown[] = []
    bot.catch((error) => {
      caught.push(error)
    })
    bot.message(() => {
      throw new StanzaError('remote-server-timeout', 'wait')
    })
    await chat.receive(message({}, 'x'))
    expect(caught).toHaveLength(1)
    expect(caught[0]).toBeInstanceOf(StanzaError)
  })

  it('are logged when there is no hook', async () => {
    const sink = logSink()
    const { bot, chat } = testBot({ logLevel: 'error', logDestination: sink.stream })
    bot.message(() => {
      throw new Error('handler bug')
    })
    await chat.receive(message({}, 'x'))
    const line = sink.lines().find((l) => l.msg === 'message handler failed')
    expect(line).toMatchObject({ kind: 'message', from: ALICE, err: { message: 'handler bug' } })
  })

  it('of the hook itself are logged and do not escape', async () => {
    const sink = logSink()
    const { bot, chat } = testBot({ logLevel: 'error', logDestination: sink.stream })
    bot.catch(() => {
      throw new Error('hook bug')
    })
    bot.message({ body: 'boom' }, () => {
      throw new Error('handler bug')
    })
    bot.message({ body: true }, (msg) => msg.reply('alive'))
    expect(await chat.say(ALICE, 'boom')).toEqual([expect.stringMatching(/^Sorry, something went wrong/)])
    expect(sink.lines().some((l) => l.msg === 'the error hook failed')).toBe(true)
    expect(await chat.say(ALICE, 'hi')).toEqual(['alive'])
  })

  it('of an async hook are logged too', async () => {
    const sink = logSink()
    const { bot, chat } = testBot({ logLevel: 'error', logDestination: sink.stream })
    bot.catch(async () => {
      throw new Error('hook bug')
    })
    bot.message(() => {
      throw new Error('handler bug')
    })
    await chat.receive(message({}, 'x'))
    await settle()
    expect(sink.lines().some((l) => l.msg === 'the error hook failed')).toBe(true)
  })
})

describe('IQ requests', () => {
  it('of the bot time out without an unhandled rejection while they still wait for the link, and the caller gets the timeout', async () => {
    const bot = createBot({ env: {} })
    const unhandled = vi.fn()
    process.on('unhandledRejection', unhandled)
    try {
      BotCore.attachWire(bot, {
        jid: BOT,
        online: false,
        streamManagement: false,
        queues: { outbox: 0, writes: 0 },
        // The link is down: the request goes out only once it is back, after its timeout ran out.
        send: () => new Promise((resolve) => setTimeout(resolve, 100)),
        holdInbound: () => {},
        close: async () => {},
      })
      const asked = bot.request({ to: 'bot@example.org/bot.2', type: 'get', payload: query('urn:xmpp:ping', 'ping'), timeout: 10 })
      await expect(asked).rejects.toThrow(/no reply from bot@example.org\/bot.2 within 10 ms/)
      await settle()
      expect(unhandled).not.toHaveBeenCalled()
    } finally {
      process.off('unhandledRejection', unhandled)
    }
  })

  it('are answered with the element the handler returns', async () => {
    const { bot, chat } = testBot()
    bot.iq({ type: 'get', xmlns: 'urn:example:answer', element: 'query' }, () => xml('query', { xmlns: 'urn:example:answer' }, xml('value', {}, '42')))
    const reply = await chat.iq(ALICE, 'get', query('urn:example:answer'))
    expect(reply.attrs).toMatchObject({ type: 'result', to: ALICE, from: BOT })
    expect(reply.getChild('query', 'urn:example:answer')?.getChildText('value')).toBe('42')
  })

  it('are answered with an empty result when the handler returns no element', async () => {
    const { bot, chat } = testBot()
    bot.iq({ type: 'set', xmlns: 'urn:example:store' }, () => 'stored')
    const reply = await chat.iq(ALICE, 'set', query('urn:example:store'))
    expect(reply.attrs.type).toBe('result')
    expect(reply.getChildElements()).toEqual([])
  })

  it('keep the request id in the reply', async () => {
    const { bot, chat } = testBot()
    bot.iq({ xmlns: 'urn:example:answer' }, () => undefined)
    const [reply] = (await chat.receive(xml('iq', { from: ALICE, type: 'get', id: 'req-7' }, query('urn:example:answer')))).slice(-1)
    expect(reply?.attrs.id).toBe('req-7')
  })

  it('get the StanzaError a handler throws, with its type and text, and the hook does not see it', async () => {
    const { bot, chat } = testBot()
    const hook = vi.fn()
    bot.catch(hook)
    bot.iq({ xmlns: 'urn:example:secret' }, () => {
      throw new StanzaError('forbidden', 'auth', 'not for you')
    })
    const reply = await chat.iq(ALICE, 'get', query('urn:example:secret'))
    expect(errorCondition(reply)).toBe('forbidden')
    expect(reply.getChild('error')?.attrs.type).toBe('auth')
    expect(reply.getChild('error')?.getChildText('text', NS_STANZAS)).toBe('not for you')
    expect(hook).not.toHaveBeenCalled()
  })

  it('get internal-server-error, and no details, when a handler throws anything else; the hook sees it', async () => {
    const { bot, chat } = testBot()
    const hook = vi.fn()
    bot.catch(hook)
    bot.iq({ xmlns: 'urn:example:boom' }, () => {
      throw new Error('secret internals')
    })
    const reply = await chat.iq(ALICE, 'get', query('urn:example:boom'))
    expect(errorCondition(reply)).toBe('internal-server-error')
    expect(reply.toString()).not.toContain('secret internals')
    expect(hook).toHaveBeenCalledOnce()
  })

  it('get internal-server-error when middleware throws', async () => {
    const { bot, chat } = testBot()
    bot.catch(() => {})
    bot.use(() => {
      throw new Error('middleware bug')
    })
    expect(errorCondition(await chat.iq(ALICE, 'get', query('urn:example:any')))).toBe('internal-server-error')
  })

  it.each(['get', 'set'] as const)('get service-unavailable when no handler takes an IQ %s', async (type) => {
    const { bot, chat } = testBot()
    bot.iq({ xmlns: 'urn:example:other' }, () => undefined)
    expect(errorCondition(await chat.iq(ALICE, type, query('urn:example:unknown')))).toBe('service-unavailable')
  })

  it('get service-unavailable when every matching handler passes them on', async () => {
    const { bot, chat } = testBot()
    bot.iq({ xmlns: 'urn:example:maybe' }, (_iq, next) => next())
    expect(errorCondition(await chat.iq(ALICE, 'get', query('urn:example:maybe')))).toBe('service-unavailable')
  })

  it('get service-unavailable when middleware stops them', async () => {
    const { bot, chat } = testBot()
    bot.use((ctx, next) => (ctx.kind === 'iq' ? undefined : next()))
    bot.iq(() => xml('query', { xmlns: 'urn:example:x' }))
    expect(errorCondition(await chat.iq(ALICE, 'get', query('urn:example:x')))).toBe('service-unavailable')
  })

  it('of type result or error never reach handlers or middleware', async () => {
    const { bot, chat } = testBot()
    const seen = vi.fn()
    bot.use((ctx, next) => {
      seen(ctx.kind)
      return next()
    })
    bot.iq(seen)
    const out = [
      ...(await chat.receive(xml('iq', { from: ALICE, type: 'result', id: 'stray-1' }, query('urn:example:x')))),
      ...(await chat.receive(xml('iq', { from: ALICE, type: 'error', id: 'stray-2' }, query('urn:example:x')))),
    ]
    expect(seen).not.toHaveBeenCalled()
    // An answer to an answer could loop between two entities.
    expect(out).toEqual([])
  })
})

describe('sending', () => {
  it('say() sends a chat message by default, or the given type', async () => {
    const { bot, chat } = testBot()
    await bot.say('alice@example.org', 'hello')
    await bot.say('room@conference.example.org', 'hi all', 'groupchat')
    expect(chat.sent.map((s) => [s.attrs.to, s.attrs.type, s.getChildText('body')])).toEqual([
      ['alice@example.org', 'chat', 'hello'],
      ['room@conference.example.org', 'groupchat', 'hi all'],
    ])
  })

  it('refuses to send before the bot is started', async () => {
    await expect(createBot({ env: {} }).say('alice@example.org', 'hi')).rejects.toThrow(/not started/)
  })

  it('setStatus() sends the show and status text', async () => {
    const { bot, chat } = testBot()
    await bot.setStatus('dnd', 'Deploying')
    await bot.setStatus(undefined)
    const [busy, available] = chat.sent
    expect(busy?.name).toBe('presence')
    expect(busy?.attrs.type).toBeUndefined()
    expect(busy?.getChildText('show')).toBe('dnd')
    expect(busy?.getChildText('status')).toBe('Deploying')
    // Only the formation marker, by which the bot's other processes know it, and the caps are left.
    expect(available?.getChildElements().map((c) => c.name)).toEqual(['formation', 'c'])
  })
})

describe('start', () => {
  it('refuses bad settings with a ConfigError before connecting', async () => {
    const bot = createBot({ env: { JPASSWORD: 'pw' }, logLevel: 'silent' })
    await expect(bot.start()).rejects.toThrow(ConfigError)
    expect(bot.settings).toBeUndefined()
  })

  it('cannot start a bot that is wired to a test chat', async () => {
    const { bot } = testBot()
    await expect(bot.start()).rejects.toThrow()
  })
})

describe('admins', () => {
  it('are recognised by bare JID, from any resource', () => {
    const bot = createBot({ env: {}, admins: ['Boss@Example.org'] })
    expect(bot.isAdmin('boss@example.org/laptop')).toBe(true)
    expect(bot.isAdmin('boss@example.org')).toBe(true)
    expect(bot.isAdmin('boss@example.org.evil.net')).toBe(false)
    expect(bot.isAdmin(undefined)).toBe(false)
  })
})

describe('plugins', () => {
  /** The example plugin of docs/plugins.md: a command and a method, through the public API only. */
  function uptime(bot: BotCore): { uptime(): number } {
    const since = Date.now()
    bot.command('uptime', 'How long the bot has been up', (cmd) => cmd.reply(`up ${Math.round((Date.now() - since) / 1000)} s`))
    return { uptime: () => Date.now() - since }
  }

  it('install() adds what a plugin returns, and the plugin registers like a user', async () => {
    const { bot, chat } = testBot()
    const withUptime = bot.install(uptime)
    expect(withUptime).toBe(bot)
    expect(withUptime.uptime()).toBeGreaterThanOrEqual(0)
    expect(await chat.say(ALICE, 'uptime')).toEqual(['up 0 s'])
  })

  it('middleware sees a stanza once, and learns from next() whether a handler took it', async () => {
    const { bot, chat } = testBot()
    const seen: Array<[string, boolean]> = []
    bot.use(async (ctx, next) => {
      seen.push([ctx.kind, await next()])
    })
    bot.message({ body: 'taken' }, () => {})
    await chat.receive(message({}, 'taken'))
    await chat.receive(message({}, 'left'))
    expect(seen).toEqual([
      ['message', true],
      ['message', false],
    ])
  })
})

describe('counting events', () => {
  it('tell each stanza in and out by name and type, and each handler chain by kind, duration and failure', async () => {
    const { bot, chat } = testBot()
    const stanzas: string[] = []
    const handled: Array<{ kind: string; failed: boolean }> = []
    bot.on('stanza', ({ direction, name, type }) => stanzas.push(`${direction} ${name} ${type ?? '-'}`))
    bot.on('handled', ({ kind, ms, failed }) => {
      expect(ms).toBeGreaterThanOrEqual(0)
      handled.push({ kind, failed })
    })
    bot.message({ body: 'boom' }, () => {
      throw new Error('boom')
    })
    bot.message({ body: true }, (msg) => msg.reply('ok'))
    await chat.say(ALICE, 'hi')
    await chat.say(ALICE, 'boom')
    await chat.iq(ALICE, 'get', query('urn:example:nothing'))
    // The failure gets the error reply.
    expect(stanzas).toEqual(['in message chat', 'out message chat', 'in message chat', 'out message chat', 'in iq get', 'out iq -'])
    expect(handled).toEqual([
      { kind: 'message', failed: false },
      { kind: 'message', failed: true },
      { kind: 'iq', failed: false },
    ])
  })

  it('queues tell nothing waiting before the bot is started', () => {
    expect(createBot({ env: {} }).queues).toEqual({ outbox: 0, writes: 0 })
  })
})

describe('start hooks', () => {
  it('that return a promise are waited for before connecting, and a rejection fails start() without connecting', async () => {
    const log = logSink()
    const env = { JID: 'bot@127.0.0.1', JPASSWORD: 'pw', XMPP_SERVICE: 'xmpp://127.0.0.1:1', LOG_LEVEL: 'info' }
    const bot = createBot({ env, logDestination: log.stream })
    bot.onStart(async () => {
      await new Promise((resolve) => setImmediate(resolve))
      throw new ConfigError('PORT', 'cannot listen on 5000: EADDRINUSE')
    })
    await expect(bot.start()).rejects.toThrow('PORT: cannot listen on 5000: EADDRINUSE')
    expect(log.lines().map((l) => l.msg)).not.toContain('connecting')
  })
})
