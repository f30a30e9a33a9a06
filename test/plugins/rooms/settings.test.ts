import { ConfigError } from 'natter'
import { describe, expect, it } from 'vitest'
import { readRoomSettings, readTrustedServices } from '../../../src/plugins/rooms/settings.js'

describe('XMPP_ROOMS', () => {
  it('is empty by default', () => {
    expect(readRoomSettings(undefined, {}, 'bot')).toEqual([])
  })

  it('reads a comma-separated list, the nick defaulting to the given one', () => {
    expect(readRoomSettings(undefined, { XMPP_ROOMS: 'lobby@conference.example.org, Dev@conference.example.org/helper ,' }, 'bot')).toEqual([
      { jid: 'lobby@conference.example.org', nick: 'bot' },
      { jid: 'dev@conference.example.org', nick: 'helper' },
    ])
  })

  it('gives way to the rooms option', () => {
    expect(readRoomSettings(['code@conference.example.net/nick'], { XMPP_ROOMS: 'env@conference.example.org' }, 'bot')).toEqual([
      { jid: 'code@conference.example.net', nick: 'nick' },
    ])
  })

  it.each(['conference.example.org', 'lobby@', 'lobby@conference.example.org/'])('refuses the malformed room %j, naming XMPP_ROOMS', (room) => {
    let error: unknown
    try {
      readRoomSettings(undefined, { XMPP_ROOMS: `ok@conference.example.org,${room}` }, 'bot')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).variable).toBe('XMPP_ROOMS')
    expect((error as ConfigError).message).toContain(room)
  })
})

describe('XMPP_TRUSTED_ROOM_SERVICES', () => {
  it('is empty by default, and read as comma-separated domains', () => {
    expect(readTrustedServices(undefined, {})).toEqual([])
    expect(readTrustedServices(undefined, { XMPP_TRUSTED_ROOM_SERVICES: 'chat.example.net, MUC.Example.org ,' })).toEqual([
      'chat.example.net',
      'muc.example.org',
    ])
  })

  it('gives way to the trustedRoomServices option', () => {
    expect(readTrustedServices([' chat.example.net'], { XMPP_TRUSTED_ROOM_SERVICES: 'other.example' })).toEqual(['chat.example.net'])
  })

  it('refuses an entry that is not a domain, naming the variable, from the option too', () => {
    expect(() => readTrustedServices(['room@chat.example.net'], {})).toThrow(/^XMPP_TRUSTED_ROOM_SERVICES: malformed "room@chat.example.net"/)
  })
})
