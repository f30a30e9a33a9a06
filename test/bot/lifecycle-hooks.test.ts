import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { LifecycleHooks } from '../../src/bot/lifecycle-hooks.js'

const log = pino({ level: 'silent' })

describe('LifecycleHooks', () => {
  it('runs start hooks in order with the environment, and waits for the async ones', async () => {
    const hooks = new LifecycleHooks()
    const seen: string[] = []
    hooks.start.push((env) => seen.push(`a ${env.X}`))
    hooks.start.push(async () => {
      await Promise.resolve()
      seen.push('b')
    })
    await hooks.runStart({ X: '1' })
    expect(seen).toEqual(['a 1', 'b'])
  })

  it('throws what a sync start hook throws', () => {
    const hooks = new LifecycleHooks()
    hooks.start.push(() => {
      throw new Error('no key')
    })
    expect(() => hooks.runStart({})).toThrow('no key')
  })

  it('tells whether a stopping hook handed over, and survives one that fails', async () => {
    const hooks = new LifecycleHooks()
    hooks.stopping.push(() => {
      throw new Error('broken')
    })
    expect(await hooks.runStopping(1_000, log)).toBe(false)
    hooks.stopping.push(async () => true)
    expect(await hooks.runStopping(1_000, log)).toBe(true)
  })

  it('gives up on shutdown hooks that outlast their time', async () => {
    const hooks = new LifecycleHooks()
    let finished = false
    hooks.shutdown.push(() => new Promise<void>(() => {}))
    hooks.shutdown.push(() => {
      finished = true
    })
    await hooks.runShutdown(10, log)
    expect(finished).toBe(true)
  })
})
