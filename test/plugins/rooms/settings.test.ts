import { ConfigError } from 'natter'
import { describe, expect, it } from 'vitest'
import { readRoomSettings } from '../../../src/plugins/rooms/settings.js'

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
