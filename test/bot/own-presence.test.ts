import { describe, expect, it } from 'vitest'
import { OwnPresence } from '../../src/bot/own-presence.js'
import { xml } from '../../src/xml.js'

describe('OwnPresence', () => {
  it('is a bare presence until a status is set', () => {
    expect(new OwnPresence().element().toString()).toBe('<presence/>')
  })

  it('carries the show and text set last, and every decoration, each time anew', () => {
    const presence = new OwnPresence()
    presence.decorate((p) => p.append(xml('c', { xmlns: 'urn:example:caps' })))
    presence.set('dnd', 'Deploying')
    const first = presence.element()
    expect(first.getChildText('show')).toBe('dnd')
    expect(first.getChildText('status')).toBe('Deploying')
    presence.set(undefined, undefined)
    const second = presence.element()
    expect(second.getChild('show')).toBeUndefined()
    expect(second.getChildren('c')).toHaveLength(1)
    expect(first.getChildren('c')).toHaveLength(1)
  })
})
