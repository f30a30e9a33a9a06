import { ConfigError, loadSettings } from 'natter'
import { describe, expect, it } from 'vitest'

const PASSWORD = 'pw-0f9e8d7c-secret'
const base = { JID: 'bot@example.org', JPASSWORD: PASSWORD }

/** The ConfigError that loading these settings throws. */
function configError(env: Record<string, string | undefined>, options?: Parameters<typeof loadSettings>[1]): ConfigError {
  try {
    loadSettings(env, options)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('JID', () => {
  it('reads a bare JID', () => {
    const settings = loadSettings(base)
    expect(settings.jid.bare).toBe('bot@example.org')
    expect(settings.jid.local).toBe('bot')
    expect(settings.jid.domain).toBe('example.org')
  })

  it('reads a JID with a resource', () => {
    expect(loadSettings({ ...base, JID: 'bot@example.org/worker' }).jid.full).toBe('bot@example.org/worker')
  })

  it.each([undefined, '', '   '])('is required (%j)', (value) => {
    const error = configError({ ...base, JID: value })
    expect(error.variable).toBe('JID')
    expect(error.message).toMatch(/^JID: missing/)
  })

  it.each(['svc.example.org/worker', 'bot@', '@example.org', 'bot@example.org/', 'b ot@example.org'])('refuses the malformed %j', (value) => {
    const error = configError({ ...base, JID: value })
    expect(error.variable).toBe('JID')
    expect(error.message).toMatch(/^JID: malformed/)
  })
})

describe('a component (JID without a local part)', () => {
  const component = { JID: 'svc.example.org', JPASSWORD: PASSWORD, XMPP_SERVICE: 'xmpp://127.0.0.1:5347' }

  it('is read as a component of its domain, on the service given', () => {
    const settings = loadSettings(component)
    expect(settings.component).toBe(true)
    expect(settings.jid.domain).toBe('svc.example.org')
    expect(settings.service).toBe('xmpp://127.0.0.1:5347')
    expect(loadSettings(base).component).toBe(false)
  })

  it('needs XMPP_SERVICE: a component has no DNS record to find its server by', () => {
    const error = configError({ ...component, XMPP_SERVICE: undefined })
    expect(error.variable).toBe('XMPP_SERVICE')
    expect(error.message).toMatch(/component port/)
  })

  it('refuses direct TLS, which the component port does not speak', () => {
    expect(configError({ ...component, XMPP_SERVICE: 'xmpps://127.0.0.1:5347' }).variable).toBe('XMPP_SERVICE')
  })
})

describe('JPASSWORD', () => {
  it('is kept exactly, spaces included', () => {
    expect(loadSettings({ ...base, JPASSWORD: ' two words ' }).password).toBe(' two words ')
  })

  it.each([undefined, ''])('is required (%j)', (value) => {
    const error = configError({ ...base, JPASSWORD: value })
    expect(error.variable).toBe('JPASSWORD')
    expect(error.message).toMatch(/^JPASSWORD: missing/)
  })
})

describe('XMPP_SERVICE', () => {
  it("defaults to the JID's domain, for the client to resolve", () => {
    expect(loadSettings(base).service).toBe('example.org')
  })

  it.each([
    ['xmpp://127.0.0.1:5333', 'xmpp://127.0.0.1:5333'],
    ['xmpps://chat.example.org:443', 'xmpps://chat.example.org:443'],
    ['xmpp://chat.example.org', 'xmpp://chat.example.org:5222'],
    ['xmpps://chat.example.org', 'xmpps://chat.example.org:5223'],
    ['xmpp://chat.example.org:5222/', 'xmpp://chat.example.org:5222'],
    ['xmpp://[::1]:5222', 'xmpp://[::1]:5222'],
    ['  xmpp://localhost:5222  ', 'xmpp://localhost:5222'],
  ])('reads %j as %j', (value, service) => {
    expect(loadSettings({ ...base, XMPP_SERVICE: value }).service).toBe(service)
  })

  it('treats a blank value as unset', () => {
    expect(loadSettings({ ...base, XMPP_SERVICE: ' ' }).service).toBe('example.org')
  })

  it.each([
    'http://example.org:5222',
    'example.org:5222',
    'xmpp://',
    'xmpp://host:0',
    'xmpp://host:65536',
    'xmpp://host:port',
    'xmpp://host:5222/path',
    'xmpp://ho st',
  ])('refuses the malformed %j', (value) => {
    const error = configError({ ...base, XMPP_SERVICE: value })
    expect(error.variable).toBe('XMPP_SERVICE')
    expect(error.message).toMatch(/^XMPP_SERVICE: malformed/)
  })
})

describe('XMPP_RESOURCE', () => {
  it('is empty by default, for the server to pick one', () => {
    expect(loadSettings(base).resource).toBe('')
  })

  it('is read from the variable', () => {
    expect(loadSettings({ ...base, XMPP_RESOURCE: 'worker' }).resource).toBe('worker')
  })

  it('defaults to DYNO plus a boot id on Heroku, so an old and a new bot.1 never collide', () => {
    expect(loadSettings({ ...base, DYNO: 'bot.1' }).resource).toMatch(/^bot\.1\.[0-9a-z_-]{4}$/)
  })

  it('wins over DYNO', () => {
    expect(loadSettings({ ...base, DYNO: 'bot.1', XMPP_RESOURCE: 'worker' }).resource).toBe('worker')
  })

  it('loses to a resource in the JID', () => {
    expect(loadSettings({ ...base, JID: 'bot@example.org/pinned', XMPP_RESOURCE: 'worker', DYNO: 'bot.1' }).resource).toBe('pinned')
  })

  it('refuses a resource with spaces', () => {
    const error = configError({ ...base, XMPP_RESOURCE: 'two words' })
    expect(error.variable).toBe('XMPP_RESOURCE')
  })
})

describe('LOG_LEVEL', () => {
  it('defaults to info', () => {
    expect(loadSettings(base).logLevel).toBe('info')
  })

  it.each(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])('accepts %s', (level) => {
    expect(loadSettings({ ...base, LOG_LEVEL: level }).logLevel).toBe(level)
  })

  it('ignores case', () => {
    expect(loadSettings({ ...base, LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug')
  })

  it.each(['verbose', 'warning', '10'])('refuses %j', (level) => {
    const error = configError({ ...base, LOG_LEVEL: level })
    expect(error.variable).toBe('LOG_LEVEL')
    expect(error.message).toContain(level)
  })
})

describe('XMPP_ALLOW_INSECURE', () => {
  it('is off unless set: natter then logs in only over TLS or to loopback', () => {
    expect(loadSettings(base).allowInsecure).toBe(false)
    expect(loadSettings({ ...base, XMPP_ALLOW_INSECURE: '' }).allowInsecure).toBe(false)
  })

  it.each([
    ['1', true],
    ['true', true],
    ['YES', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['no', false],
    ['off', false],
  ])('reads %j as %s', (value, expected) => {
    expect(loadSettings({ ...base, XMPP_ALLOW_INSECURE: value }).allowInsecure).toBe(expected)
  })

  it('refuses anything else, so that a typo never decides it', () => {
    const error = configError({ ...base, XMPP_ALLOW_INSECURE: 'sure' })
    expect(error.variable).toBe('XMPP_ALLOW_INSECURE')
    expect(error.message).toBe('XMPP_ALLOW_INSECURE: malformed "sure"; expected 1 or 0')
  })

  it('is also the allowInsecure option, which wins', () => {
    expect(loadSettings(base, { allowInsecure: true }).allowInsecure).toBe(true)
    expect(loadSettings({ ...base, XMPP_ALLOW_INSECURE: '1' }, { allowInsecure: false }).allowInsecure).toBe(false)
  })
})

describe('XMPP_CHANNEL_BINDING', () => {
  it('is on unless set to 0, and refuses a typo', () => {
    expect(loadSettings(base).channelBinding).toBe(true)
    expect(loadSettings({ ...base, XMPP_CHANNEL_BINDING: '0' }).channelBinding).toBe(false)
    expect(loadSettings(base, { channelBinding: false }).channelBinding).toBe(false)
    expect(configError({ ...base, XMPP_CHANNEL_BINDING: 'never' }).variable).toBe('XMPP_CHANNEL_BINDING')
  })
})

describe('LOG_SECRET_NAMES', () => {
  it('is a comma-separated list, empty unless set; the secretNames option wins', () => {
    expect(loadSettings(base).secretNames).toEqual([])
    expect(loadSettings({ ...base, LOG_SECRET_NAMES: ' session, cookie ,' }).secretNames).toEqual(['session', 'cookie'])
    expect(loadSettings({ ...base, LOG_SECRET_NAMES: 'session' }, { secretNames: ['pin_code', ' '] }).secretNames).toEqual(['pin_code'])
  })
})

describe('XMPP_TLS_NAME', () => {
  it("is the JID's domain unless set, then the name given, lower-cased", () => {
    expect(loadSettings(base).tlsName).toBe(loadSettings(base).jid.domain)
    expect(loadSettings({ ...base, XMPP_TLS_NAME: 'XMPP.Example.NET.' }).tlsName).toBe('xmpp.example.net')
  })

  it.each(['xmpp://host', 'a b', 'host/path'])('refuses %j', (name) => {
    expect(configError({ ...base, XMPP_TLS_NAME: name }).variable).toBe('XMPP_TLS_NAME')
  })
})

describe('XMPP_MAX_STANZA_SIZE', () => {
  it('defaults to 256 KiB, what Prosody and ejabberd take out of the box', () => {
    expect(loadSettings(base).maxStanzaSize).toBe(262_144)
  })

  it('is read in bytes, and the option wins', () => {
    expect(loadSettings({ ...base, XMPP_MAX_STANZA_SIZE: '65536' }).maxStanzaSize).toBe(65_536)
    expect(loadSettings({ ...base, XMPP_MAX_STANZA_SIZE: '65536' }, { maxStanzaSize: 10_000 }).maxStanzaSize).toBe(10_000)
  })

  it.each(['0', '-1', '1.5', '256k'])('refuses %j', (value) => {
    expect(configError({ ...base, XMPP_MAX_STANZA_SIZE: value }).message).toBe(`XMPP_MAX_STANZA_SIZE: malformed "${value}"; expected a positive whole number`)
  })
})

describe('XMPP_SEND_RATE and XMPP_SEND_BURST', () => {
  it('set no rate by default: the bot goes as fast as the server reads and acknowledges', () => {
    expect(loadSettings(base).sendRate).toBeUndefined()
  })

  it('read stanzas a second, fractions allowed, with a burst of one second by default', () => {
    expect(loadSettings({ ...base, XMPP_SEND_RATE: '20' }).sendRate).toEqual({ rate: 20, burst: 20 })
    expect(loadSettings({ ...base, XMPP_SEND_RATE: '0.5' }).sendRate).toEqual({ rate: 0.5, burst: 1 })
    expect(loadSettings({ ...base, XMPP_SEND_RATE: '5', XMPP_SEND_BURST: '50' }).sendRate).toEqual({ rate: 5, burst: 50 })
    expect(loadSettings(base, { sendRate: 2, sendBurst: 4 }).sendRate).toEqual({ rate: 2, burst: 4 })
  })

  it('refuse what is not a positive number, naming the variable', () => {
    expect(configError({ ...base, XMPP_SEND_RATE: 'fast' }).variable).toBe('XMPP_SEND_RATE')
    expect(configError({ ...base, XMPP_SEND_RATE: '5', XMPP_SEND_BURST: '2.5' }).variable).toBe('XMPP_SEND_BURST')
  })
})

describe('options', () => {
  it('override every variable', () => {
    const env = { ...base, XMPP_SERVICE: 'xmpp://env:5222', XMPP_RESOURCE: 'env', LOG_LEVEL: 'warn' }
    const settings = loadSettings(env, {
      jid: 'code@example.net',
      password: 'from-code',
      service: 'xmpps://code:5223',
      resource: 'code',
      logLevel: 'trace',
    })
    expect(settings).toMatchObject({
      password: 'from-code',
      service: 'xmpps://code:5223',
      resource: 'code',
      logLevel: 'trace',
    })
    expect(settings.jid.full).toBe('code@example.net')
  })

  it('are enough without any environment', () => {
    expect(loadSettings({}, { jid: 'bot@example.org', password: 'pw' }).jid.bare).toBe('bot@example.org')
  })

  it('are validated like the variables, naming the variable', () => {
    expect(configError({}, { jid: 'no@', password: 'pw' }).variable).toBe('JID')
    expect(configError(base, { service: 'nope' }).variable).toBe('XMPP_SERVICE')
  })
})

describe('config errors', () => {
  it('name the variable first, on one line, and never contain the password', () => {
    const broken: Array<Record<string, string | undefined>> = [
      { ...base, JID: undefined },
      { ...base, JID: 'not-a-jid' },
      { ...base, JPASSWORD: '' },
      { ...base, XMPP_SERVICE: 'tcp://x' },
      { ...base, XMPP_RESOURCE: 'a b' },
      { ...base, LOG_LEVEL: 'loud' },
    ]
    for (const env of broken) {
      const error = configError(env)
      expect(error.message.startsWith(`${error.variable}: `)).toBe(true)
      expect(error.message).not.toContain('\n')
      expect(error.message).not.toContain(PASSWORD)
      expect(String(error.stack)).not.toContain(PASSWORD)
    }
  })

  it('check JID before JPASSWORD, so the first fault is named', () => {
    expect(configError({}).variable).toBe('JID')
  })
})
