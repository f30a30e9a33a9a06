import type { StanzaContext } from 'natter'
import { describe, expect, it } from 'vitest'
import type { Matcher } from '../../src/dispatch/guards.js'
import { Router } from '../../src/dispatch/router.js'

/** A bare stand-in for a context: the router only reads `kind` and writes `match`. */
function ctx(kind = 'message', body = ''): StanzaContext & { body: string } {
  return { kind, body, match: undefined } as unknown as StanzaContext & { body: string }
}

/** A kind with nothing to index: every route is a candidate. */
const kind = (name: string) => ({ name, indexed: [], jidFields: [] })

const always: Matcher<StanzaContext> = () => true
const never: Matcher<StanzaContext> = () => false

describe('Router', () => {
  it('lets the first matching handler, in registration order, handle the stanza', async () => {
    const router = new Router()
    const calls: string[] = []
    router.add(kind('message'), never, () => calls.push('skipped'))
    router.add(kind('message'), always, () => calls.push('first'))
    router.add(kind('message'), always, () => calls.push('second'))
    const outcome = await router.dispatch(ctx())
    expect(calls).toEqual(['first'])
    expect(outcome.handled).toBe(true)
  })

  it('passes the stanza on to the next matching handler when next() is called', async () => {
    const router = new Router()
    const calls: string[] = []
    router.add(kind('message'), always, async (_c, next) => {
      calls.push('first')
      await next()
      calls.push('first after next')
    })
    router.add(kind('message'), never, () => calls.push('not matching'))
    router.add(kind('message'), always, () => calls.push('third'))
    router.add(kind('message'), always, () => calls.push('fourth'))
    expect((await router.dispatch(ctx())).handled).toBe(true)
    expect(calls).toEqual(['first', 'third', 'first after next'])
  })

  it('reports the stanza unhandled when the last handler passes it on', async () => {
    const router = new Router()
    router.add(kind('message'), always, (_c, next) => next())
    expect(await router.dispatch(ctx())).toEqual({ handled: false, value: undefined })
  })

  it('returns the value of the handler that kept the stanza, not of one that passed it on', async () => {
    const router = new Router()
    router.add(kind('iq'), always, async (_c, next) => {
      await next()
      return 'passed on'
    })
    router.add(kind('iq'), always, () => 'kept')
    expect(await router.dispatch(ctx('iq'))).toEqual({ handled: true, value: 'kept' })
  })

  it('keeps the handlers of each kind apart', async () => {
    const router = new Router()
    const calls: string[] = []
    router.add(kind('message'), always, () => calls.push('message'))
    router.add(kind('presence'), always, () => calls.push('presence'))
    await router.dispatch(ctx('presence'))
    expect(calls).toEqual(['presence'])
    expect((await router.dispatch(ctx('iq'))).handled).toBe(false)
    expect(router.has('message')).toBe(true)
    expect(router.has('iq')).toBe(false)
  })

  it('sets ctx.match from the matcher that matched, and clears it for one without a match', async () => {
    const router = new Router()
    const seen: unknown[] = []
    const regexp: Matcher<StanzaContext> = (c) => /^(\w+)/.exec((c as unknown as { body: string }).body) ?? false
    router.add(kind('message'), regexp, async (c, next) => {
      seen.push(c.match?.[1])
      await next()
    })
    router.add(kind('message'), always, (c) => seen.push(c.match))
    await router.dispatch(ctx('message', 'hello world'))
    expect(seen).toEqual(['hello', undefined])
  })

  it('runs middleware in registration order, before the handlers, around them', async () => {
    const router = new Router()
    const calls: string[] = []
    router.use(async (_c, next) => {
      calls.push('outer in')
      await next()
      calls.push('outer out')
    })
    router.use(async (_c, next) => {
      calls.push('inner in')
      await next()
      calls.push('inner out')
    })
    router.add(kind('message'), always, () => calls.push('handler'))
    await router.dispatch(ctx())
    expect(calls).toEqual(['outer in', 'inner in', 'handler', 'inner out', 'outer out'])
  })

  it('stops the stanza at a middleware that does not call next()', async () => {
    const router = new Router()
    const calls: string[] = []
    router.use(() => calls.push('gate'))
    router.use((_c, next) => {
      calls.push('later middleware')
      return next()
    })
    router.add(kind('message'), always, () => calls.push('handler'))
    expect((await router.dispatch(ctx())).handled).toBe(false)
    expect(calls).toEqual(['gate'])
  })

  it('runs middleware for kinds that have no handlers', async () => {
    const router = new Router()
    const kinds: string[] = []
    router.use((c, next) => {
      kinds.push(c.kind)
      return next()
    })
    await router.dispatch(ctx('presence'))
    expect(kinds).toEqual(['presence'])
  })

  it('lets errors of handlers and middleware reach the caller', async () => {
    const router = new Router()
    router.add(kind('message'), always, () => {
      throw new Error('handler')
    })
    await expect(router.dispatch(ctx())).rejects.toThrow('handler')
    const gated = new Router()
    gated.use(async () => {
      throw new Error('middleware')
    })
    await expect(gated.dispatch(ctx())).rejects.toThrow('middleware')
  })
})
