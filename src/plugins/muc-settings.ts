import { ConfigError } from '../errors.js'
import { parseJid } from '../jid.js'
import { settingText } from '../config.js'

/** A room to join at start, from `XMPP_ROOMS` or the `rooms` option. */
export interface RoomSetting {
  /** The room's bare JID. */
  readonly jid: string
  /** The bot's nick there; default the local part of the bot's JID. */
  readonly nick: string
}

/**
 * The rooms to join at start: the `rooms` option, else `XMPP_ROOMS` (comma-separated). Throws a
 * `ConfigError` naming `XMPP_ROOMS` for a room that is not `room@service` or `room@service/nick`.
 */
export function readRoomSettings(option: readonly string[] | undefined, env: Readonly<Record<string, string | undefined>>, defaultNick: string): RoomSetting[] {
  const texts = option ?? settingText(undefined, env.XMPP_ROOMS)?.split(',') ?? []
  return texts
    .map((text) => text.trim())
    .filter((text) => text !== '')
    .map((text) => {
      const room = parseJid(text)
      if (!room || !room.local) throw new ConfigError('XMPP_ROOMS', `malformed room "${text}"; expected room@service or room@service/nick`)
      return { jid: room.bare, nick: room.resource || defaultNick }
    })
}
