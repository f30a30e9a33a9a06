import { ConfigError } from 'natter'
import { describe, expect, it } from 'vitest'
import { readLimitSettings } from '../../../src/plugins/limits/settings.js'

describe('readLimitSettings', () => {
  it('defaults to on, 10 stanzas a second with bursts of 500 per sender', () => {
    expect(readLimitSettings(undefined, {})).toMatchObject({ enabled: true, rate: { rate: 10, burst: 500 } })
  })

  it('reads the variables; the options win', () => {
    const env = { XMPP_SENDER_RATE: '0.5', XMPP_SENDER_BURST: '20' }
    expect(readLimitSettings(undefined, env).rate).toEqual({ rate: 0.5, burst: 20 })
    expect(readLimitSettings({ burst: 50 }, env).rate).toEqual({ rate: 0.5, burst: 50 })
  })

  it('is off with XMPP_LIMITS=off, limits given in code or not', () => {
    expect(readLimitSettings({ rate: 5 }, { XMPP_LIMITS: 'OFF' }).enabled).toBe(false)
    expect(readLimitSettings(false, {}).enabled).toBe(false)
  })

  it('refuses an XMPP_LIMITS that is neither on nor off', () => {
    expect(() => readLimitSettings(undefined, { XMPP_LIMITS: 'Maybe' })).toThrow(new ConfigError('XMPP_LIMITS', 'unknown value "maybe"; use on or off'))
  })
})
