import { describe, expect, it } from 'vitest'
import { type ProsodyConfig, prosodyConfig } from '../../../../src/cli/sandbox/servers/prosody-config.js'

const BASE: ProsodyConfig = {
  dir: '/tmp/natter-prosody-x',
  log: '/tmp/natter-prosody-x/prosody.log',
  port: 5333,
  domain: 'localhost',
  muc: false,
  smacksHibernation: 60,
  logToConsole: false,
  tls: false,
  limits: undefined,
  runAsRoot: false,
}

function lines(config: Partial<ProsodyConfig>): string[] {
  return prosodyConfig({ ...BASE, ...config }).split('\n')
}

describe('prosodyConfig', () => {
  it('listens on loopback only, on the one c2s port, with everything in its dir and the one virtual host', () => {
    const text = lines({})
    expect(text).toEqual(
      expect.arrayContaining([
        'interfaces = { "127.0.0.1" }',
        'c2s_ports = { 5333 }',
        's2s_ports = {}',
        'http_ports = {}',
        'pidfile = "/tmp/natter-prosody-x/prosody.pid"',
        'data_path = "/tmp/natter-prosody-x/data"',
        'certificates = "/tmp/natter-prosody-x/certs"',
        'log = { { levels = { min = "info" }, to = "file", filename = "/tmp/natter-prosody-x/prosody.log" } }',
        'VirtualHost "localhost"',
      ]),
    )
    expect(text.at(-1)).toBe('')
    expect(text.some((line) => line.includes('run_as_root'))).toBe(false)
    expect(text.some((line) => line.startsWith('Component'))).toBe(false)
  })

  it('allows plain logins without TLS, and requires STARTTLS with it', () => {
    expect(lines({ tls: false })).toEqual(expect.arrayContaining(['c2s_require_encryption = false', 'allow_unencrypted_plain_auth = true']))
    expect(lines({ tls: false }).join('\n')).not.toContain('"tls"')
    const tls = lines({ tls: true })
    expect(tls).toContain('c2s_require_encryption = true')
    expect(tls.join('\n')).toContain('"uptime", "pep", "tls" }')
    expect(tls.join('\n')).not.toContain('allow_unencrypted_plain_auth')
  })

  it('loads mod_limits with the rate, and the burst when given, only when asked to', () => {
    expect(lines({}).join('\n')).not.toMatch(/limits/)
    const withBurst = lines({ limits: { rate: '500kb/s', burst: '1s' } })
    expect(withBurst.join('\n')).toContain('"uptime", "pep", "limits" }')
    expect(withBurst).toContain('limits = { c2s = { rate = "500kb/s"; burst = "1s" } }')
    expect(lines({ limits: { rate: '10kb/s' } })).toContain('limits = { c2s = { rate = "10kb/s" } }')
  })

  it('adds the MUC component, the console log, and run_as_root when asked to', () => {
    const text = lines({ muc: true, logToConsole: true, runAsRoot: true })
    expect(text.slice(-4)).toEqual(['', 'Component "conference.localhost" "muc"', '  restrict_room_creation = false', ''])
    expect(text).toContain(
      'log = { { levels = { min = "info" }, to = "file", filename = "/tmp/natter-prosody-x/prosody.log" }, { levels = { min = "debug" }, to = "console" } }',
    )
    expect(text).toContain('run_as_root = true')
  })

  it('keeps the hibernation time a whole number of seconds, never negative', () => {
    expect(lines({ smacksHibernation: 2.7 })).toContain('smacks_hibernation_time = 2')
    expect(lines({ smacksHibernation: -5 })).toContain('smacks_hibernation_time = 0')
  })

  it('quotes paths as Lua strings, whatever characters they hold', () => {
    expect(lines({ dir: '/tmp/a "quoted"\\dir\nx' })).toContain('pidfile = "/tmp/a \\"quoted\\"\\\\dir\\nx/prosody.pid"')
  })

  it('serves HTTP upload, when asked, on its loopback HTTP port, with URLs that name that address', () => {
    const text = lines({ httpUpload: { port: 5380 } })
    const vhost = text.indexOf('VirtualHost "localhost"')
    // The HTTP settings are global: before the first host or component section.
    for (const global of ['http_ports = { 5380 }', 'http_interfaces = { "127.0.0.1" }', 'http_default_host = "upload.localhost"']) {
      expect(text.indexOf(global)).toBeGreaterThan(-1)
      expect(text.indexOf(global)).toBeLessThan(vhost)
    }
    const component = text.indexOf('Component "upload.localhost" "http_file_share"')
    expect(component).toBeGreaterThan(vhost)
    expect(text[component + 1]).toBe('  http_external_url = "http://127.0.0.1:5380/"')
    expect(text).not.toContain('http_ports = {}')
  })
})
