import { describe, expect, it } from 'vitest'
import { Members } from '../../../src/plugins/formation/members.js'

const SELF = 'bot@example.org/bot.1.aaaa'
const keys = Array.from({ length: 600 }, (_, i) => `user${i}@example.org`)

function withSiblings(...jids: string[]): Members {
  const members = new Members(() => SELF)
  for (const jid of jids) members.update(jid, 'active', 0)
  return members
}

describe('Members', () => {
  it('alone, owns every conversation', () => {
    const members = withSiblings()
    expect(members.hasActiveSiblings).toBe(false)
    expect(keys.every((key) => members.owner(key) === SELF)).toBe(true)
  })

  it('spreads conversations over the members, and every member sees the same owner', () => {
    const jids = ['bot@example.org/bot.2.bbbb', 'bot@example.org/bot.3.cccc']
    const here = withSiblings(...jids)
    const there = new Members(() => jids[0] as string)
    there.update(SELF, 'active', 0)
    there.update(jids[1] as string, 'active', 0)
    const shares = new Map<string, number>()
    for (const key of keys) {
      const owner = here.owner(key) as string
      expect(there.owner(key)).toBe(owner)
      shares.set(owner, (shares.get(owner) ?? 0) + 1)
    }
    expect([...shares.values()].every((n) => n > 100)).toBe(true)
  })

  it('moves only the share of a member that comes or goes', () => {
    const before = withSiblings('bot@example.org/bot.2.bbbb')
    const after = withSiblings('bot@example.org/bot.2.bbbb', 'bot@example.org/bot.3.cccc')
    for (const key of keys) {
      const owner = after.owner(key)
      if (owner !== 'bot@example.org/bot.3.cccc') expect(owner).toBe(before.owner(key))
    }
  })

  it('gives no work to a joining, leaving or dead member, nor to itself once it is leaving', () => {
    const members = withSiblings('bot@example.org/bot.2.bbbb', 'bot@example.org/bot.3.cccc')
    expect(members.update('bot@example.org/bot.4.dddd', 'joining', 1)).toBe(true)
    expect(members.update('bot@example.org/bot.2.bbbb', 'leaving', 1)).toBe(true)
    expect(members.update('bot@example.org/bot.2.bbbb', 'leaving', 2)).toBe(false)
    const dead = members.get('bot@example.org/bot.3.cccc')
    if (dead) dead.dead = true
    expect(members.active()).toEqual([SELF])
    expect(members.hasActiveSiblings).toBe(false)
    members.selfLeaving = true
    expect(members.owner('alice@example.org')).toBeUndefined()
  })

  it('counts a joining member in once it says it is active', () => {
    const members = withSiblings()
    members.update('bot@example.org/bot.2.bbbb', 'joining', 1)
    expect(members.hasActiveSiblings).toBe(false)
    expect(members.hasJoiningSiblings).toBe(true)
    expect(members.update('bot@example.org/bot.2.bbbb', 'active', 2)).toBe(true)
    expect(members.hasJoiningSiblings).toBe(false)
    expect(members.active()).toEqual(['bot@example.org/bot.2.bbbb', SELF].sort())
  })

  it('owns nothing itself while it is joining', () => {
    const members = withSiblings('bot@example.org/bot.2.bbbb')
    members.selfJoining = true
    expect(members.active()).toEqual(['bot@example.org/bot.2.bbbb'])
    expect(keys.every((key) => members.owner(key) === 'bot@example.org/bot.2.bbbb')).toBe(true)
  })

  it('counts a member back in once it answers again', () => {
    const members = withSiblings('bot@example.org/bot.2.bbbb')
    const sibling = members.get('bot@example.org/bot.2.bbbb')
    if (sibling) sibling.dead = true
    expect(members.update('bot@example.org/bot.2.bbbb', 'active', 5)).toBe(true)
    expect(members.active()).toContain('bot@example.org/bot.2.bbbb')
  })
})
