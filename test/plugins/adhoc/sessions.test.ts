import { describe, expect, it } from 'vitest'
import { MAX_SESSIONS, SESSION_TTL_MS, Sessions } from '../../../src/plugins/adhoc/sessions.js'

describe('Sessions', () => {
  it('keeps a session alive while it is used, and tells an expired one from an unknown id', () => {
    let now = 0
    const sessions = new Sessions(() => now)
    const session = sessions.open('order', 'alice@example.org/phone')
    const id = session?.id ?? ''
    now = SESSION_TTL_MS - 1
    expect(sessions.find(id).kind).toBe('live')
    now += SESSION_TTL_MS
    expect(sessions.find(id).kind).toBe('expired')
    expect(sessions.find(id).kind).toBe('unknown')
    expect(sessions.find('made-up').kind).toBe('unknown')
  })

  it('forgets sessions long expired, and refuses new ones past the limit', () => {
    let now = 0
    const sessions = new Sessions(() => now)
    for (let i = 0; i < MAX_SESSIONS; i++) sessions.open('order', `u${i}@example.org/x`)
    expect(sessions.open('order', 'late@example.org/x')).toBeUndefined()
    now = 2 * SESSION_TTL_MS
    expect(sessions.open('order', 'late@example.org/x')).toBeDefined()
    expect(sessions.size).toBe(1)
    now = 2 * SESSION_TTL_MS + 1
    expect(sessions.open('order', 'later@example.org/x')).toBeDefined()
    expect(sessions.size).toBe(2)
  })
})
