import { ConfigError } from 'natter'
import { describe, expect, it } from 'vitest'
import { readFormationSettings } from '../../../src/plugins/formation/settings.js'

describe('XMPP_FORMATION', () => {
  it('is on by default', () => {
    expect(readFormationSettings({}, {}).enabled).toBe(true)
  })

  it.each([
    ['off', false],
    ['0', false],
    ['False', false],
    ['ON', true],
    ['1', true],
  ])('reads %j as %s', (text, enabled) => {
    expect(readFormationSettings({}, { XMPP_FORMATION: text }).enabled).toBe(enabled)
  })

  it('gives way to the formation option', () => {
    expect(readFormationSettings({ formation: false }, { XMPP_FORMATION: 'on' }).enabled).toBe(false)
  })

  it('refuses anything else, naming the variable', () => {
    expect(() => readFormationSettings({}, { XMPP_FORMATION: 'maybe' })).toThrow(new ConfigError('XMPP_FORMATION', 'malformed "maybe"; use on or off'))
  })
})

describe('XMPP_TAKEOVER', () => {
  it('is 5 s by default, and counted in seconds', () => {
    expect(readFormationSettings({}, {}).takeoverAfter).toBe(5_000)
    expect(readFormationSettings({}, { XMPP_TAKEOVER: '2.5' }).takeoverAfter).toBe(2_500)
  })

  it('gives way to the takeoverAfter option, counted in ms, without being read', () => {
    expect(readFormationSettings({ takeoverAfter: 300 }, { XMPP_TAKEOVER: 'soon' }).takeoverAfter).toBe(300)
  })

  it.each(['0.5', 'soon'])('refuses %j, naming the variable', (text) => {
    expect(() => readFormationSettings({}, { XMPP_TAKEOVER: text })).toThrow(
      new ConfigError('XMPP_TAKEOVER', `malformed "${text}"; expected seconds, at least 1`),
    )
  })
})
