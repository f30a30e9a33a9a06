import { xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { JoinWindow } from '../../../src/plugins/formation/join-window.js'

const A = 'bot@example.org/bot.1.aaaa'
const B = 'bot@example.org/bot.2.bbbb'

/** The siblings each held stanza is owned among, by the stanza's body. */
function views(window: JoinWindow): Record<string, string[]> {
  return Object.fromEntries([...window.held()].map((h) => [h.stanza.getChildText('body') ?? '', h.siblings]))
}

function hold(window: JoinWindow, body: string): void {
  window.hold(xml('message', { from: 'alice@example.org/x' }, xml('body', {}, body)), 'alice@example.org')
}

describe('JoinWindow', () => {
  it('counts a sibling heard of late as there from the start', () => {
    const window = new JoinWindow(new Map())
    hold(window, 'first')
    window.heard(A, true)
    hold(window, 'second')
    expect(views(window)).toEqual({ first: [A], second: [A] })
  })

  it('counts a sibling leaving or gone from where that came in', () => {
    const window = new JoinWindow(new Map([[A, true]]))
    hold(window, 'before')
    window.heard(A, false)
    hold(window, 'after')
    window.heard(B, true)
    window.heard(B, false)
    hold(window, 'last')
    expect(views(window)).toEqual({ before: [A, B], after: [B], last: [] })
  })

  it('keeps a sibling that was leaving when the window opened out', () => {
    const window = new JoinWindow(new Map([[A, false]]))
    hold(window, 'only')
    expect(views(window)).toEqual({ only: [] })
  })
})
