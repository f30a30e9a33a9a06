import type { Setting } from 'natter'
import { describe, expect, it } from 'vitest'
import { botSettings } from '../../src/create-bot.js'
import { usage } from '../../src/process/bot-help.js'

describe('usage', () => {
  const text = usage('dist/examples/echo.js', botSettings())

  it('shows how to run the script', () => {
    expect(text).toContain('node dist/examples/echo.js')
  })

  it('lists every flag and every environment variable of a bot createBot() makes', () => {
    for (const setting of botSettings()) expect(text).toMatch(new RegExp(`^ {2}${setting.variable} {2,}\\S`, 'm'))
    for (const word of [
      '--debug',
      '-D',
      '--help',
      '--version',
      'JID',
      'JPASSWORD',
      'XMPP_SERVICE',
      'XMPP_RESOURCE',
      'LOG_LEVEL',
      'XMPP_ROOMS',
      'XMPP_ALLOW_INSECURE',
      'XMPP_SENDER_RATE',
      'XMPP_SENDER_BURST',
      'XMPP_LIMITS',
      'XMPP_TRUSTED_ROOM_SERVICES',
      'XMPP_FORMATION',
      'XMPP_TAKEOVER',
      'XMPP_MAX_STANZA_SIZE',
      'XMPP_SEND_RATE',
      'XMPP_SEND_BURST',
    ]) {
      expect(text).toContain(word)
    }
  })

  it('states the configuration exit code', () => {
    expect(text).toMatch(/^ {2}78 +bad configuration$/m)
  })

  it('lists the exit codes as a table, one code a line', () => {
    const table = text.slice(text.indexOf('Exit codes:')).split('\n').slice(1)
    expect(table.map((line) => line.slice(0, 6))).toEqual(['  0   ', '  64  ', '  69  ', '  70  ', '  75  ', '  76  ', '  77  ', '  78  '])
    for (const line of table) expect(line.length).toBeLessThanOrEqual(80)
  })

  it('fits a terminal of 80 columns, wrapping long descriptions under their column', () => {
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80)
    const longest = Math.max(...botSettings().map((setting) => setting.variable.length))
    expect(text).toMatch(new RegExp(`\\n {${2 + longest + 2}}\\S`))
  })

  it("lists the settings it is given, a feature's own among them", () => {
    const own: Setting<string> = { variable: 'WEATHER_KEY', parse: (t) => t, required: 'set it', help: 'key of the weather service' }
    expect(usage('bot.js', [...botSettings(), own])).toMatch(/^ {2}WEATHER_KEY +key of the weather service \(required\)$/m)
  })
})
