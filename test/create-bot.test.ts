import { describe, expect, it } from 'vitest'
import { BotCore } from '../src/bot/bot-core.js'
import { botSettings } from '../src/create-bot.js'
import { rooms } from '../src/plugins/rooms/rooms.js'
import { CORE_SETTINGS } from '../src/settings/core-settings.js'

describe('botSettings', () => {
  const settings = botSettings()

  it("lists the core's settings first, then those of the features createBot() installs", () => {
    const variables = settings.map((setting) => setting.variable)
    expect(variables.slice(0, Object.keys(CORE_SETTINGS).length)).toEqual(Object.values(CORE_SETTINGS).map((setting) => setting.variable))
    for (const variable of [
      'XMPP_ROOMS',
      'XMPP_TRUSTED_ROOM_SERVICES',
      'XMPP_FORMATION',
      'XMPP_TAKEOVER',
      'XMPP_LIMITS',
      'XMPP_SENDER_RATE',
      'XMPP_SENDER_BURST',
    ]) {
      expect(variables).toContain(variable)
    }
  })

  it.each(botSettings().map((setting) => [setting.variable, setting] as const))('%s has one default, which it reads, and one line of help', (_, setting) => {
    expect([setting.default, setting.unset, setting.required].filter((given) => given !== undefined)).toHaveLength(1)
    if (setting.default !== undefined) expect(() => setting.parse(setting.default ?? '', setting.variable)).not.toThrow()
    expect(setting.variable).toMatch(/^[A-Z][A-Z0-9_]*$/)
    expect(setting.help).toMatch(/^[^\n]+[^.\n]$/)
  })
})

describe('a bot', () => {
  it("has the core's settings, and those of each feature installed", () => {
    const core = new BotCore({ logLevel: 'silent' })
    expect(core.settingsTable.rows.map((setting) => setting.variable)).toEqual(Object.values(CORE_SETTINGS).map((setting) => setting.variable))
    expect(core.install(rooms()).settingsTable.rows.map((setting) => setting.variable)).toContain('XMPP_ROOMS')
  })
})
