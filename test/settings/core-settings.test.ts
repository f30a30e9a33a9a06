import { loadSettings } from 'natter'
import { describe, expect, it } from 'vitest'
import { CORE_SETTINGS, DEFAULT_SHUTDOWN_TIMEOUT } from '../../src/settings/core-settings.js'

describe('CORE_SETTINGS', () => {
  it('has a row for every option loadSettings reads, named as the option', () => {
    for (const [option, setting] of Object.entries(CORE_SETTINGS)) expect(setting.option).toBe(option)
  })

  it('gives loadSettings its defaults', () => {
    const settings = loadSettings({ JID: 'bot@example.org', JPASSWORD: 'pw' })
    expect(settings.maxStanzaSize).toBe(Number(CORE_SETTINGS.maxStanzaSize.default))
    expect(settings.shutdownTimeout).toBe(DEFAULT_SHUTDOWN_TIMEOUT)
    expect(settings.logLevel).toBe(CORE_SETTINGS.logLevel.default)
  })
})
