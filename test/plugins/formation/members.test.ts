import { describe, expect, it } from 'vitest'
import { Members } from '../../../src/plugins/formation/members.js'

const SELF = 'bot@example.org/bot.1.aaaa'
const B = 'bot@example.org/bot.2.bbbb'
const C = 'bot@example.org/bot.3.cccc'
const keys = Array.from({ length: 600 }, (_, i) => `user${i}@example.org`)

/** Members with siblings that are active and answered a ping. */
function withSiblings(...jids: string[]): Members {
  const members = new Members(() => SELF)
  for (const jid of jids) {
    members.heard(jid, 'active', 0)
    members.answered(jid, 0, 1)
  }
  return members
}

describe('Members', () => {
  it('alone, owns every conversation', () => {
    const members = withSiblings()
    expect(members.hasActiveSiblings).toBe(false)
    expect(keys.every((key) => members.owner(key) === SELF)).toBe(true)
  })

  it('spreads conversations over the members, and every member sees the same owner', () => {
    const here = withSiblings(B, C)
    const there = new Members(() => B)
    for (const jid of [SELF, C]) {
      there.heard(jid, 'active', 0)
      there.answered(jid, 0, 1)
    }
    const shares = new Map<string, number>()
    for (const key of keys) {
      const owner = here.owner(key)
      expect(there.owner(key)).toBe(owner)
      shares.set(owner, (shares.get(owner) ?? 0) + 1)
    }
    expect([...shares.values()].every((n) => n > 100)).toBe(true)
  })

  it('moves only the share of a member that comes or goes', () => {
    const before = withSiblings(B)
    const after = withSiblings(B, C)
    for (const key of keys) {
      const owner = after.owner(key)
      if (owner !== C) expect(owner).toBe(before.owner(key))
    }
  })

  it('gives no work to a sibling that has not shown it runs: a presence alone may be what a killed process left', () => {
    const members = new Members(() => SELF)
    members.heard(B, 'active', 0)
    expect(members.active()).toEqual([SELF])
    expect(members.answered(B, 5, 6)).toBe(true)
    expect(members.active()).toEqual([B, SELF].sort())
  })

  it('takes a change of state for a sign of life, a presence repeated as it was not', () => {
    const members = new Members(() => SELF)
    members.heard(B, 'active', 0)
    expect(members.heard(B, 'active', 1).changed).toBe(false)
    expect(members.get(B)?.confirmed).toBe(false)
    members.heard(C, 'joining', 0)
    expect(members.heard(C, 'active', 1).changed).toBe(true)
    expect(members.active()).toEqual([C, SELF].sort())
  })

  it('gives no work to a joining, leaving or dead member, nor to itself once it is leaving', () => {
    const members = withSiblings(B, C)
    members.heard('bot@example.org/bot.4.dddd', 'joining', 1)
    expect(members.heard(B, 'leaving', 1).changed).toBe(true)
    expect(members.heard(B, 'leaving', 2).changed).toBe(false)
    expect(members.declareDead(C, 3)).toBe(true)
    expect(members.active()).toEqual([SELF])
    expect(members.hasActiveSiblings).toBe(false)
    members.selfLeaving = true
    expect(members.active()).toEqual([])
  })

  it('when nobody takes work, as after the server restarted, gives it to those joining, itself included', () => {
    const members = withSiblings()
    members.heard(B, 'joining', 0)
    members.answered(B, 0, 1)
    members.selfJoining = true
    const owners = new Set(keys.map((key) => members.owner(key)))
    expect([...owners].sort()).toEqual([B, SELF].sort())
  })

  it('owns nothing itself while it is joining and a sibling takes work', () => {
    const members = withSiblings(B)
    members.selfJoining = true
    expect(members.active()).toEqual([B])
    expect(keys.every((key) => members.owner(key) === B)).toBe(true)
  })

  it('counts a dead member back in once it answers a ping sent after its death, not an older one', () => {
    const members = withSiblings(B)
    members.declareDead(B, 10)
    expect(members.answered(B, 8, 11)).toBe(false)
    expect(members.active()).toEqual([SELF])
    expect(members.answered(B, 12, 13)).toBe(true)
    expect(members.active()).toEqual([B, SELF].sort())
  })

  it('tells up to when a sibling had read what came in: when the latest ping it answered went out', () => {
    const members = withSiblings(B)
    const sibling = members.get(B)
    if (!sibling) throw new Error('no sibling')
    members.answered(B, 10, 12)
    members.answered(B, 20, 35)
    expect(members.readUpTo(sibling, -1)).toBe(20)
    expect(members.readUpTo(sibling, -1, 30)).toBe(10)
    expect(members.readUpTo(members.get(B) ?? sibling, -1, 0.5)).toBe(-1)
  })
})
