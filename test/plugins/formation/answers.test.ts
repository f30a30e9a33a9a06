import { describe, expect, it } from 'vitest'
import { Answers } from '../../../src/plugins/formation/answers.js'

const A = 'bot@example.org/bot.1.aaaa'
const ALICE = 'alice@example.org'

describe('Answers', () => {
  it('counts one thing a sibling sent as the answer to one stanza, the earliest it came after', () => {
    const answers = new Answers(() => 10_000)
    // Four messages came in at 0, 10, 20 and 30; the sibling's first reply came after all four (they queued).
    answers.record(A, ALICE, 35)
    const answered = answers.answeredBy(A)
    expect([0, 10, 20, 30].map((at) => answered(ALICE, at))).toEqual([true, false, false, false])
  })

  it('skips what was sent before a stanza came in, and tells conversations apart', () => {
    const answers = new Answers(() => 10_000)
    answers.record(A, ALICE, 5)
    answers.record(A, 'bob@example.org', 50)
    answers.record(A, ALICE, 60)
    const answered = answers.answeredBy(A)
    expect(answered(ALICE, 0)).toBe(true)
    expect(answered(ALICE, 10)).toBe(true)
    expect(answered(ALICE, 20)).toBe(false)
    expect(answered('bob@example.org', 40)).toBe(true)
    expect(answers.answeredBy('bot@example.org/bot.2.bbbb')(ALICE, 0)).toBe(false)
  })

  it('forgets what is older than its age bound', () => {
    const answers = new Answers(() => 100)
    answers.record(A, ALICE, 0)
    answers.prune(500)
    expect(answers.answeredBy(A)(ALICE, 0)).toBe(false)
  })
})
