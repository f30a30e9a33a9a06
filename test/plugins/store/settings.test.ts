import { describe, expect, it } from 'vitest'
import { parseDatabaseUrl, readStoreSettings } from '../../../src/plugins/store/settings.js'

describe('the store settings', () => {
  it('keep values on the bot’s account unless DATABASE_URL is set', () => {
    expect(readStoreSettings({}, {}).backend).toBe('xmpp')
    expect(readStoreSettings({}, { DATABASE_URL: 'postgres://u:p@db.example.org:5432/d' }).backend).toBe('postgres')
    expect(readStoreSettings({}, { STORE_BACKEND: 'memory', DATABASE_URL: 'postgres://u:p@h/d' }).backend).toBe('memory')
    expect(() => readStoreSettings({}, { STORE_BACKEND: 'redis' })).toThrow(/^STORE_BACKEND: unknown back end "redis"/)
    expect(() => readStoreSettings({}, { STORE_BACKEND: 'postgres' })).toThrow(/^DATABASE_URL: missing/)
  })

  it('read the limit on a value', () => {
    expect(readStoreSettings({}, {}).maxValueSize).toBe(65_536)
    expect(readStoreSettings({ maxValueSize: 1000 }, {}).maxValueSize).toBe(1000)
    expect(() => readStoreSettings({}, { STORE_MAX_VALUE_SIZE: 'big' })).toThrow(/^STORE_MAX_VALUE_SIZE: malformed/)
    expect(() => readStoreSettings({}, { STORE_MAX_VALUE_SIZE: '1000000' })).toThrow(/more than a stanza carries/)
  })

  it('read DATABASE_URL as Heroku sets it: TLS without checking the certificate', () => {
    const db = parseDatabaseUrl('postgres://u%40x:p%3Aw@ec2-1-2-3-4.compute.example.org:5432/d1', 3)
    expect(db).toEqual({
      host: 'ec2-1-2-3-4.compute.example.org',
      port: 5432,
      user: 'u@x',
      password: 'p:w',
      database: 'd1',
      tls: 'unverified',
      checkHost: false,
      poolSize: 3,
    })
  })

  it('honour sslmode, and leave TLS off to a loopback host without it', () => {
    const tls = (url: string) => parseDatabaseUrl(url, 1).tls
    expect(tls('postgres://u@127.0.0.1:5433/d')).toBe('off')
    expect(tls('postgres://u@127.0.0.1/d?sslmode=require')).toBe('unverified')
    expect(tls('postgresql://u@db.example.org/d?sslmode=disable')).toBe('off')
    expect(tls('postgres://u@db.example.org/d?sslmode=verify-full')).toBe('verified')
    expect(parseDatabaseUrl('postgres://u@db.example.org/d?sslmode=verify-full', 1).checkHost).toBe(true)
    expect(() => tls('postgres://u@h/d?sslmode=sometimes')).toThrow(/^DATABASE_URL: unknown sslmode "sometimes"/)
  })

  it('name a malformed DATABASE_URL in one line without repeating its password', () => {
    for (const url of [
      'not a url',
      'mysql://u:secret@h/d',
      'postgres://u:secret@/d',
      'postgres://u:secret@h',
      'postgres://:secret@h/d',
      'postgres://u:secret@h:99999/d',
    ]) {
      let message = ''
      try {
        readStoreSettings({}, { DATABASE_URL: url })
      } catch (error) {
        message = (error as Error).message
      }
      expect(message).toMatch(/^DATABASE_URL: /)
      expect(message).not.toContain('secret')
      expect(message).not.toContain('\n')
    }
  })
})
