import { xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { JoinWindow, type WindowState, type WindowView } from '../../../src/plugins/formation/join-window.js'
import { ownerAmong } from '../../../src/plugins/formation/members.js'

const SELF = 'bot@example.org/bot.0.self'
const A = 'bot@example.org/bot.1.aaaa'
const B = 'bot@example.org/bot.2.bbbb'
const KEY = 'alice@example.org'

const everyone: WindowView = { confirmed: () => true, answeredBy: () => () => false }

/** The owner of each held stanza, by the stanza's body. */
function owners(window: JoinWindow, view: WindowView = everyone): Record<string, string> {
  return Object.fromEntries(window.settle(view).map((h) => [h.stanza.getChildText('body') ?? '', h.owner]))
}

function hold(window: JoinWindow, body: string, at = 0, key = KEY): void {
  window.hold(xml('message', { from: `${key}/x` }, xml('body', {}, body)), key, at)
}

function opened(atStart: Array<[string, WindowState]> = []): JoinWindow {
  return new JoinWindow(SELF, new Map(atStart))
}

describe('JoinWindow', () => {
  it('counts a sibling heard of late as active as there from the start', () => {
    const window = opened()
    hold(window, 'first')
    window.heard(A, 'active')
    hold(window, 'second')
    expect(owners(window)).toEqual({ first: A, second: A })
  })

  it('counts a sibling leaving or gone from where that came in, and gives what no sibling takes to itself', () => {
    const window = opened([[A, 'active']])
    hold(window, 'before')
    window.heard(A, 'leaving')
    hold(window, 'after')
    expect(owners(window)).toEqual({ before: A, after: SELF })
  })

  it('shares what came while every process was joining among those joining by then, not one heard of later', () => {
    const window = opened()
    hold(window, 'alone')
    window.heard(A, 'joining')
    hold(window, 'together')
    const settled = owners(window)
    expect(settled.alone).toBe(SELF)
    expect(settled.together).toBe(ownerAmong(KEY, [A, SELF]))
  })

  it('gives nothing to a sibling that never showed it runs: the lingering session of a killed process', () => {
    const window = opened([[A, 'active']])
    hold(window, 'only')
    expect(owners(window, { ...everyone, confirmed: (jid) => jid !== A })).toEqual({ only: SELF })
  })

  it('hands what a sibling dropped and had not answered to those taking work then', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `user${i}@example.org`)
    const window = opened([
      [A, 'active'],
      [B, 'active'],
    ])
    keys.forEach((key, i) => {
      hold(window, `${i}`, i, key)
    })
    window.heard(A, 'joining')
    window.dropped(A, 10, 50)
    const answeredBy = (jid: string) => (key: string) => jid === A && key === 'user30@example.org'
    const settled = window.settle({ confirmed: () => true, answeredBy })
    for (const item of settled) {
      const n = Number(item.stanza.getChildText('body'))
      const first = ownerAmong(item.key, [A, B])
      if (first === B) expect(item.owner).toBe(B)
      else if (n < 10 || n === 30) expect(item.owner).toBe(A)
      else expect([item.owner, item.since]).toEqual([B, 50])
    }
    expect(settled.some((item) => item.owner === A)).toBe(true)
  })
})
