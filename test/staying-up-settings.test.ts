import { ConfigError, ExitCode, loadSettings } from 'natter'
import { describe, expect, it } from 'vitest'
import { botSettings } from '../src/create-bot.js'
import { usage } from '../src/process/bot-help.js'

const base = { JID: 'bot@example.org', JPASSWORD: 'pw-settings-1' }

describe('liveness and shutdown settings', () => {
  it('default to a ping after 60 s of silence, 10 s for its answer, 20 s for running handlers', () => {
    expect(loadSettings(base)).toMatchObject({ pingInterval: 60, pingTimeout: 10, shutdownTimeout: 20 })
  })

  it('read seconds, fractions too, from the environment; options win', () => {
    const env = { ...base, XMPP_PING_INTERVAL: '5', XMPP_PING_TIMEOUT: '2.5', SHUTDOWN_TIMEOUT: '8' }
    expect(loadSettings(env)).toMatchObject({ pingInterval: 5, pingTimeout: 2.5, shutdownTimeout: 8 })
    expect(loadSettings(env, { pingInterval: 30 })).toMatchObject({ pingInterval: 30 })
  })

  it.each([
    ['XMPP_PING_INTERVAL', '0'],
    ['XMPP_PING_INTERVAL', '-5'],
    ['XMPP_PING_TIMEOUT', 'ten'],
    ['XMPP_PING_TIMEOUT', 'Infinity'],
    ['SHUTDOWN_TIMEOUT', '20s'],
  ])('refuse %s=%s with a ConfigError naming the variable', (variable, value) => {
    let error: unknown
    try {
      loadSettings({ ...base, [variable]: value })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).variable).toBe(variable)
    expect((error as ConfigError).message).toMatch(new RegExp(`^${variable}: .*positive number of seconds`))
  })

  it('refuse a non-positive option the same way', () => {
    expect(() => loadSettings(base, { pingTimeout: 0 })).toThrow(/^XMPP_PING_TIMEOUT: /)
  })

  it('are listed by --help, with the exit code for giving up', () => {
    const text = usage('bot.js', botSettings())
    for (const word of ['XMPP_PING_INTERVAL', 'XMPP_PING_TIMEOUT', 'SHUTDOWN_TIMEOUT']) expect(text).toContain(word)
    expect(text).toMatch(new RegExp(`^ {2}${ExitCode.Unavailable} +server unreachable`, 'm'))
  })
})
