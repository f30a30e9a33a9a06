import { ConfigError } from '../../errors.js'
import { parseJid } from '../../jid.js'
import { commaList, listEntries } from '../../settings/parsers.js'
import { type Env, readSetting, type Setting } from '../../settings/setting.js'

/** A room to join at start, from `XMPP_ROOMS` or the `rooms` option. */
export interface RoomSetting {
  /** The room's bare JID. */
  readonly jid: string
  /** The bot's nick there; default the local part of the bot's JID. */
  readonly nick: string
}

/**
 * The rows rooms add to the settings table: the rooms to join, and the room services believed about
 * occupants' real JIDs.
 *
 * @example
 * ```ts
 * readSetting(ROOMS_SETTINGS.rooms, process.env) // the rooms of XMPP_ROOMS, or undefined
 * ```
 */
export const ROOMS_SETTINGS = {
  rooms: {
    variable: 'XMPP_ROOMS',
    option: 'rooms',
    parse: (text: string, variable: string) => roomEntries(commaList(text), variable),
    unset: 'none',
    help: "rooms to join once online, comma-separated: room@service/nick, or room@service to take the JID's local part as nick",
  },
  trustedRoomServices: {
    variable: 'XMPP_TRUSTED_ROOM_SERVICES',
    option: 'trustedRoomServices',
    parse: (text: string, variable: string) => serviceDomains(commaList(text), variable),
    unset: "the bot's server, its subdomains and services, and XMPP_ROOMS's",
    help: "room services believed about occupants' real JIDs besides the defaults, comma-separated domains",
  },
} satisfies Record<string, Setting<unknown>>

/**
 * The rooms to join at start: the `rooms` option, else `XMPP_ROOMS` (comma-separated). Throws a
 * `ConfigError` naming `XMPP_ROOMS` for a room that is not `room@service` or `room@service/nick`.
 *
 * @example
 * ```ts
 * readRoomSettings(undefined, { XMPP_ROOMS: 'team@conference.example.org' }, 'bot') // [{ jid: 'team@conference.example.org', nick: 'bot' }]
 * ```
 */
export function readRoomSettings(option: readonly string[] | undefined, env: Env, defaultNick: string): RoomSetting[] {
  const setting = ROOMS_SETTINGS.rooms
  const rooms = option === undefined ? (readSetting(setting, env) ?? []) : roomEntries(listEntries(option), setting.variable)
  return rooms.map((room) => ({ jid: room.jid, nick: room.nick || defaultNick }))
}

/**
 * The room services trusted about real JIDs besides the defaults: the `trustedRoomServices` option,
 * else `XMPP_TRUSTED_ROOM_SERVICES` (comma-separated domains). Throws a `ConfigError` naming the
 * variable for an entry that is not a domain.
 *
 * @example
 * ```ts
 * readTrustedServices(['chat.example.net'], process.env) // ['chat.example.net']
 * ```
 */
export function readTrustedServices(option: readonly string[] | undefined, env: Env): string[] {
  const setting = ROOMS_SETTINGS.trustedRoomServices
  if (option === undefined) return readSetting(setting, env) ?? []
  return serviceDomains(listEntries(option), setting.variable)
}

/** Rooms as `room@service` or `room@service/nick`; the nick is empty where none is given. */
function roomEntries(texts: readonly string[], variable: string): RoomSetting[] {
  return texts.map((text) => {
    const room = parseJid(text)
    if (!room?.local) throw new ConfigError(variable, `malformed room "${text}"; expected room@service or room@service/nick`)
    return { jid: room.bare, nick: room.resource }
  })
}

function serviceDomains(texts: readonly string[], variable: string): string[] {
  return texts.map((text) => {
    const service = parseJid(text)
    if (!service || service.local || service.resource) throw new ConfigError(variable, `malformed "${text}"; expected a domain such as conference.example.org`)
    return service.domain
  })
}
