import { ConfigError } from '../../errors.js'
import { parseJid } from '../../jid.js'
import { settingText } from '../../settings/settings.js'

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
      if (!room?.local) throw new ConfigError('XMPP_ROOMS', `malformed room "${text}"; expected room@service or room@service/nick`)
      return { jid: room.bare, nick: room.resource || defaultNick }
    })
}

/**
 * The room services trusted about real JIDs besides the defaults: the `trustedRoomServices` option,
 * else `XMPP_TRUSTED_ROOM_SERVICES` (comma-separated domains). Throws a `ConfigError` naming the
 * variable for an entry that is not a domain.
 */
export function readTrustedServices(option: readonly string[] | undefined, env: Readonly<Record<string, string | undefined>>): string[] {
  const texts = option ?? settingText(undefined, env.XMPP_TRUSTED_ROOM_SERVICES)?.split(',') ?? []
  return texts
    .map((text) => text.trim())
    .filter((text) => text !== '')
    .map((text) => {
      const service = parseJid(text)
      if (!service || service.local || service.resource)
        throw new ConfigError('XMPP_TRUSTED_ROOM_SERVICES', `malformed "${text}"; expected a domain such as conference.example.org`)
      return service.domain
    })
}
