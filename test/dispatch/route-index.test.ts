import type { StanzaContext } from 'natter'
import { describe, expect, it } from 'vitest'
import { iqKind } from '../../src/dispatch/context/iq.js'
import { messageKind } from '../../src/dispatch/context/message.js'
import { presenceKind } from '../../src/dispatch/context/presence.js'
import { compileGuards, type Matcher } from '../../src/dispatch/guards.js'
import { Router } from '../../src/dispatch/router.js'
import type { StanzaKind } from '../../src/dispatch/stanza-kind.js'

const KINDS: Record<string, StanzaKind> = { message: messageKind, presence: presenceKind, iq: iqKind } as Record<string, StanzaKind>

function kindOf(name: string): StanzaKind {
  const kind = KINDS[name]
  if (!kind) throw new Error(`no kind ${name}`)
  return kind
}

/** A bare stand-in for a context: guards read its fields, the router reads `kind` and writes `match`. */
function ctx(kind: string, fields: Record<string, unknown>): StanzaContext {
  return { kind, match: undefined, ...fields } as unknown as StanzaContext
}

/**
 * Registers handlers as the bot does (guards compiled, and handed to the router too) that record their
 * name and pass the stanza on, so a dispatch reveals every handler that took it, in order.
 */
function recorder(): { router: Router; calls: string[]; add(kind: string, name: string, guards: unknown): void } {
  const router = new Router()
  const calls: string[] = []
  return {
    router,
    calls,
    add(kind, name, guards) {
      const matcher = guards === undefined ? () => true : compileGuards<StanzaContext>(kindOf(kind), guards)
      router.add(
        kindOf(kind),
        matcher,
        (_c, next) => {
          calls.push(name)
          return next()
        },
        guards,
      )
    },
  }
}

const chat = (body: string, from = 'alice@example.org/phone'): StanzaContext => ctx('message', { type: 'chat', body, from })

describe('Router index', () => {
  it('keeps registration order between indexed handlers and the rest', async () => {
    const { router, calls, add } = recorder()
    add('message', 'exact body', { body: 'hi' })
    add('message', 'regexp', { body: /^h/ })
    add('message', 'chat type', { type: 'chat' })
    add('message', 'predicate', (c: { body?: string }) => c.body === 'hi')
    add('message', 'sender', { from: 'alice@example.org' })
    add('message', 'no guard', undefined)
    add('message', 'groupchat', { type: 'groupchat' })
    add('message', 'other body', { body: 'bye' })
    await router.dispatch(chat('hi'))
    expect(calls).toEqual(['exact body', 'regexp', 'chat type', 'predicate', 'sender', 'no guard'])
  })

  it('lets the first matching handler keep the stanza, wherever it is filed', async () => {
    const router = new Router()
    const calls: string[] = []
    const add = (name: string, guards: unknown): void => router.add(kindOf('message'), compileGuards(kindOf('message'), guards), () => calls.push(name), guards)
    add('groupchat', { type: 'groupchat' })
    add('regexp', { body: /^h/ })
    add('exact body', { body: 'hi' })
    const outcome = await router.dispatch(chat('hi'))
    expect(calls).toEqual(['regexp'])
    expect(outcome).toEqual({ handled: true, value: 1 })
  })

  it('never runs the guards of handlers pinned to other values', async () => {
    const router = new Router()
    const seen: string[] = []
    const spy = (name: string, guards: unknown): Matcher<StanzaContext> => {
      const matcher = compileGuards<StanzaContext>(kindOf('message'), guards)
      return (c) => {
        seen.push(name)
        return matcher(c)
      }
    }
    const add = (name: string, guards: unknown): void => router.add(kindOf('message'), spy(name, guards), (_c, next) => next(), guards)
    add('groupchat', { type: 'groupchat', body: /x/ })
    add('other body', { type: 'chat', body: 'bye' })
    add('other sender', { from: 'bob@example.org', body: true })
    add('other types', { type: ['normal', 'headline'] })
    add('regexp', { body: /^h/ })
    add('chat', { type: 'chat' })
    await router.dispatch(chat('hi'))
    expect(seen).toEqual(['regexp', 'chat'])
  })

  it('files a list of guards under every value its alternatives allow, and keeps it whole when one is open', async () => {
    const { router, calls, add } = recorder()
    add('message', 'chat or normal', [{ type: 'chat' }, { type: 'normal' }])
    add('message', 'array', { type: ['normal', 'chat'] })
    add('message', 'chat or hi', [{ type: 'normal' }, { body: /hi/ }])
    add('message', 'chat or predicate', [{ type: 'headline' }, () => true])
    await router.dispatch(ctx('message', { type: 'normal', body: 'yo' }))
    await router.dispatch(ctx('message', { type: 'chat', body: 'hi' }))
    await router.dispatch(ctx('message', { type: 'headline', body: 'yo' }))
    expect(calls).toEqual([
      ...['chat or normal', 'array', 'chat or hi', 'chat or predicate'],
      ...['chat or normal', 'array', 'chat or hi', 'chat or predicate'],
      'chat or predicate',
    ])
  })

  it('runs a handler once even when its guards name the same value twice', async () => {
    const { router, calls, add } = recorder()
    add('message', 'twice', [{ type: 'chat' }, { type: ['chat', 'chat'] }])
    add('message', 'same sender twice', { from: ['Alice@Example.org', 'alice@example.org'] })
    await router.dispatch(chat('hi'))
    expect(calls).toEqual(['twice', 'same sender twice'])
  })

  it('matches senders as the guards do: a bare JID takes every resource, in any case; a full JID only its own', async () => {
    const { router, calls, add } = recorder()
    add('message', 'bare', { from: 'Alice@Example.ORG' })
    add('message', 'phone', { from: 'alice@example.org/phone' })
    add('message', 'laptop', { from: 'alice@example.org/laptop' })
    add('message', 'bob', { from: 'bob@example.org' })
    await router.dispatch(chat('hi', 'ALICE@example.org/phone'))
    await router.dispatch(chat('hi', 'alice@EXAMPLE.org/laptop'))
    await router.dispatch(chat('hi', 'not a jid@/'))
    expect(calls).toEqual(['bare', 'phone', 'bare', 'laptop'])
  })

  it('ignores fields whose pattern is undefined, and never offers a handler pinned to no value', async () => {
    const { router, calls, add } = recorder()
    add('message', 'undefined type', { type: undefined, body: 'hi' })
    add('message', 'no type at all', { type: [] })
    await router.dispatch(chat('hi'))
    expect(calls).toEqual(['undefined type'])
  })

  it('indexes IQ handlers by namespace and type, and keeps other kinds apart', async () => {
    const { router, calls, add } = recorder()
    add('iq', 'time', { type: 'get', xmlns: 'urn:xmpp:time' })
    add('iq', 'version set', { type: 'set', xmlns: 'jabber:iq:version' })
    add('iq', 'any get', { type: 'get' })
    add('presence', 'away', { type: 'available', show: 'away' })
    await router.dispatch(ctx('iq', { type: 'get', xmlns: 'urn:xmpp:time', element: 'time' }))
    await router.dispatch(ctx('iq', { type: 'get', xmlns: 'jabber:iq:version', element: 'query' }))
    expect(calls).toEqual(['time', 'any get', 'any get'])
    expect(router.has('presence')).toBe(true)
    expect(router.has('subscription')).toBe(false)
  })

  it('chooses the handlers after the middleware, which still runs first and can stop the stanza', async () => {
    const { router, calls, add } = recorder()
    router.use((c, next) => {
      calls.push('middleware')
      return (c as unknown as { body: string }).body === 'stop' ? undefined : next()
    })
    add('message', 'chat', { type: 'chat' })
    await router.dispatch(chat('stop'))
    await router.dispatch(chat('go'))
    expect(calls).toEqual(['middleware', 'middleware', 'chat'])
  })

  it('takes the same handlers, in the same order, as trying every one of them would', async () => {
    let seed = 7
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return Math.floor((seed / 2 ** 31) * n)
    }
    const pick = <T>(items: readonly T[]): T => items[random(items.length)] as T
    const types = ['chat', 'normal', 'groupchat', 'headline']
    const bodies = ['hi', 'bye', 'help', '']
    const senders = ['alice@example.org', 'alice@example.org/phone', 'Bob@Example.org', 'bob@example.org/x']
    const patterns: Record<string, () => unknown> = {
      type: () => pick([pick(types), [pick(types), pick(types)], /^(chat|normal)$/, (t: string) => t.length > 4, true, []]),
      body: () => pick([pick(bodies), [pick(bodies), pick(bodies)], /^h/, true, (b: string) => b === 'bye']),
      from: () => pick([pick(senders), [pick(senders), pick(senders)], /^alice/, true]),
    }
    const guard = (): unknown => {
      if (random(8) === 0) return (c: { body?: string }) => c.body === 'help'
      const fields = Object.keys(patterns).filter(() => random(2) === 0)
      return Object.fromEntries(fields.map((f) => [f, patterns[f]?.()]))
    }
    for (let round = 0; round < 50; round++) {
      const { router, calls, add } = recorder()
      const all: Array<{ name: string; matcher: Matcher<StanzaContext> }> = []
      for (let i = 0; i < 30; i++) {
        const guards = random(5) === 0 ? [guard(), guard()] : guard()
        add('message', `h${i}`, guards)
        all.push({ name: `h${i}`, matcher: compileGuards(kindOf('message'), guards) })
      }
      for (let s = 0; s < 20; s++) {
        const fields = { type: pick(types), body: random(5) === 0 ? undefined : pick(bodies), from: pick([...senders, 'carol@example.org/a']) }
        calls.length = 0
        await router.dispatch(ctx('message', fields))
        expect(calls).toEqual(all.filter((h) => h.matcher(ctx('message', fields))).map((h) => h.name))
      }
    }
  })
})
