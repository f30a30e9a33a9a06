import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { ConfigError } from '../../errors.js'
import { type Env, readSetting, type Setting } from '../../settings/setting.js'
import { type ImageInfo, imageInfo } from './image.js'

/** The largest avatar natter publishes: its base64 in a vCard must fit the stanza size servers take. */
export const MAX_AVATAR_BYTES = 131_072

/**
 * The bot's face as clients show it; each setting overrides its environment variable.
 *
 * @example
 * ```ts
 * const bot = createBot({ name: 'Deploy Bot', avatar: './assets/avatar.png' })
 * ```
 */
export interface ProfileOptions {
  /** The name clients show for the bot (`XMPP_NAME`), published as the vCard's FN and NICKNAME. */
  name?: string
  /** The bot's picture (`XMPP_AVATAR`): a PNG or JPEG file's path, or its bytes; 128 KiB at most. */
  avatar?: string | Buffer
}

/** An avatar read and checked: the bytes, their SHA-1 (the id XEP-0084 and XEP-0398 use) and what they are. */
export interface Avatar extends ImageInfo {
  readonly bytes: Buffer
  readonly sha1: string
}

/** The profile as it is to be published. */
export interface ProfileSettings {
  readonly name: string | undefined
  readonly avatar: Avatar | undefined
}

/**
 * The rows the profile adds to the settings table.
 *
 * @example
 * ```ts
 * readSetting(PROFILE_SETTINGS.name, { XMPP_NAME: 'Deploy Bot' }) // 'Deploy Bot'
 * ```
 */
export const PROFILE_SETTINGS = {
  name: {
    variable: 'XMPP_NAME',
    option: 'name',
    parse: (text: string) => text,
    unset: 'none published',
    help: "the bot's name as clients show it, published in its vCard at start when it changed",
  },
  avatar: {
    variable: 'XMPP_AVATAR',
    option: 'avatar',
    parse: (text: string) => text,
    unset: 'none published',
    help: "path to the bot's avatar, a PNG or JPEG of 128 KiB at most, published (vCard and PEP) at start when it changed",
  },
} satisfies Record<string, Setting<unknown>>

/**
 * Reads the name and the avatar, the options first; throws a `ConfigError` naming `XMPP_AVATAR` (or
 * the `avatar` option) for a file that cannot be read or is not a PNG or JPEG image.
 *
 * @example
 * ```ts
 * const { name, avatar } = readProfileSettings({}, process.env)
 * ```
 */
export function readProfileSettings(options: ProfileOptions, env: Env): ProfileSettings {
  const name = readSetting(PROFILE_SETTINGS.name, env, options.name)
  if (Buffer.isBuffer(options.avatar)) return { name, avatar: checkAvatar(options.avatar, 'avatar', 'the image given') }
  const path = readSetting(PROFILE_SETTINGS.avatar, env, options.avatar)
  if (path === undefined) return { name, avatar: undefined }
  const variable = options.avatar === undefined ? PROFILE_SETTINGS.avatar.variable : 'avatar'
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ConfigError(variable, `cannot read "${path}"${code ? ` (${code})` : ''}; expected the path of a PNG or JPEG file`)
  }
  return { name, avatar: checkAvatar(bytes, variable, `"${path}"`) }
}

function checkAvatar(bytes: Buffer, variable: string, what: string): Avatar {
  const info = imageInfo(bytes)
  if (!info) throw new ConfigError(variable, `${what} is not a PNG or JPEG image`)
  if (bytes.length > MAX_AVATAR_BYTES) throw new ConfigError(variable, `${what} is ${bytes.length} bytes; at most ${MAX_AVATAR_BYTES}`)
  return { ...info, bytes, sha1: createHash('sha1').update(bytes).digest('hex') }
}
