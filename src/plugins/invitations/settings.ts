import { ConfigError } from '../../errors.js'
import { type Env, readSetting, type Setting } from '../../settings/setting.js'

/**
 * Whose invitations to rooms the bot accepts by itself: its contacts' (on its roster with a presence
 * subscription either way), its admins' only, or nobody's (`false`).
 *
 * @example
 * ```ts
 * const bot = createBot({ rooms: { acceptInvites: 'contacts' } })
 * ```
 */
export type InvitePolicy = 'contacts' | 'admins' | false

/**
 * The row invitations add to the settings table.
 *
 * @example
 * ```ts
 * readSetting(INVITATIONS_SETTINGS.acceptInvites, { XMPP_ACCEPT_INVITES: 'admins' }) // 'admins'
 * ```
 */
export const INVITATIONS_SETTINGS = {
  acceptInvites: {
    variable: 'XMPP_ACCEPT_INVITES',
    option: 'rooms.acceptInvites',
    parse: invitePolicy,
    default: 'off',
    help: 'whose room invitations the bot accepts by itself, joining the room and rejoining it after restarts: contacts, admins or off',
  },
} satisfies Record<string, Setting<unknown>>

/**
 * The invitation policy: the option when given, else `XMPP_ACCEPT_INVITES`. Throws a `ConfigError`
 * naming the variable for anything but `contacts`, `admins` or `off`.
 *
 * @example
 * ```ts
 * readInvitePolicy(undefined, { XMPP_ACCEPT_INVITES: 'contacts' }) // 'contacts'
 * ```
 */
export function readInvitePolicy(option: InvitePolicy | undefined, env: Env): InvitePolicy {
  return readSetting(INVITATIONS_SETTINGS.acceptInvites, env, option)
}

function invitePolicy(text: string, variable: string): InvitePolicy {
  const policy = text.trim().toLowerCase()
  if (policy === 'contacts' || policy === 'admins') return policy
  if (policy === 'off' || policy === 'false' || policy === 'no' || policy === '') return false
  throw new ConfigError(variable, `unknown policy "${text}"; use contacts, admins or off`)
}
