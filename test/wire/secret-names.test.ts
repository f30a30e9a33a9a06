import { describe, expect, it } from 'vitest'
import { SecretNames } from '../../src/wire/secret-names.js'

describe('SecretNames', () => {
  const secrets = new SecretNames()

  it.each([
    'password',
    'Admin_Password',
    'passwd',
    'api_token',
    'x-api-token',
    'muc#roomconfig_roomsecret',
    'api_key',
    'apiKey',
    'x-auth',
    'AUTH',
    'pin',
    'client_credentials',
  ])('takes %j for a secret', (name) => {
    expect(secrets.has(name)).toBe(true)
  })

  it.each(['jid', 'to', 'type', 'var', 'xmlns', 'author', 'monkey', 'keyword', 'authentication', 'muc#roomconfig_roomname', 'FORM_TYPE'])(
    'leaves %j alone',
    (name) => {
      expect(secrets.has(name)).toBe(false)
    },
  )

  it('adds the names given, each matched as part of a name, case aside', () => {
    const more = new SecretNames(['Session', 'cookie'])
    expect(more.has('x-session-id')).toBe(true)
    expect(more.has('COOKIE')).toBe(true)
    expect(more.has('password')).toBe(true)
    expect(more.has('jid')).toBe(false)
  })
})
