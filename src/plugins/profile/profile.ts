import type { BotCore } from '../../bot/bot-core.js'
import { StanzaError } from '../../errors.js'
import { NS_AVATAR_DATA, NS_AVATAR_METADATA, NS_VCARD } from '../../ns.js'
import { type XmlElement, xml } from '../../xml.js'
import type { PubSubFeature } from '../pubsub/pubsub.js'
import { type Avatar, PROFILE_SETTINGS, type ProfileOptions, type ProfileSettings, readProfileSettings } from './settings.js'
import { vcardSays, vcardWith } from './vcard.js'

/** Anyone may see a bot's face, contact or not. */
const OPEN = { 'pubsub#access_model': 'open' }

/**
 * The bot's face (its name and avatar) as published at start.
 *
 * @example
 * ```ts
 * bot.on('ready', () => bot.log.info({ avatar: bot.profile.avatarId }, 'face'))
 * ```
 */
export interface ProfileFeature {
  readonly profile: {
    /** The name from `name` or `XMPP_NAME`, once the bot started. */
    readonly name: string | undefined
    /** The SHA-1 of the avatar from `avatar` or `XMPP_AVATAR` (its XEP-0084 id), once the bot started. */
    readonly avatarId: string | undefined
  }
}

/**
 * The bot's face: the name (`XMPP_NAME`) and avatar (`XMPP_AVATAR`) published on its first session as
 * a vCard (XEP-0054: FN, NICKNAME, PHOTO) and as a PEP avatar (XEP-0084, its id the image's SHA-1 as
 * XEP-0398 has it), each only when what the server holds differs. An avatar that cannot be read stops
 * the start with a `ConfigError`. `createBot()` installs it.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(pubsub()).install(profile({ name: 'Deploy Bot', avatar: 'avatar.png' }))
 * ```
 */
export function profile(options: ProfileOptions = {}): (bot: BotCore & PubSubFeature) => ProfileFeature {
  return (bot) => {
    bot.settingsTable.add(...Object.values(PROFILE_SETTINGS))
    let settings: ProfileSettings = { name: undefined, avatar: undefined }
    bot.onStart((env) => {
      settings = readProfileSettings(options, env)
    })
    let first = true
    bot.on('ready', ({ resumed }) => {
      if (resumed || !first || (settings.name === undefined && settings.avatar === undefined)) return
      first = false
      bot.track(publishProfile(bot, settings)).catch((e: unknown) => bot.log.warn({ err: e }, "cannot publish the bot's name and avatar"))
    })
    return {
      profile: {
        get name() {
          return settings.name
        },
        get avatarId() {
          return settings.avatar?.sha1
        },
      },
    }
  }
}

async function publishProfile(bot: BotCore & PubSubFeature, settings: ProfileSettings): Promise<void> {
  const held = await heldVcard(bot)
  if (vcardSays(held, settings)) bot.log.info('the vCard on the server is current')
  else {
    await bot.request({ type: 'set', payload: vcardWith(held, settings) })
    bot.log.info({ name: settings.name, avatar: settings.avatar?.sha1 }, 'published the vCard')
  }
  if (!settings.avatar) return
  if ((await currentAvatarId(bot)) === settings.avatar.sha1) bot.log.info({ avatar: settings.avatar.sha1 }, 'the avatar on the server is current')
  else {
    await publishAvatar(bot, settings.avatar)
    bot.log.info({ avatar: settings.avatar.sha1 }, 'published the avatar')
  }
}

/** The vCard the server holds for the bot; undefined for none. */
async function heldVcard(bot: BotCore): Promise<XmlElement | undefined> {
  try {
    const reply = await bot.request({ type: 'get', payload: xml('vCard', { xmlns: NS_VCARD }) })
    return reply.getChild('vCard', NS_VCARD)
  } catch (error) {
    if (error instanceof StanzaError && error.condition === 'item-not-found') return undefined
    throw error
  }
}

/** The id of the avatar the bot's PEP announces now; undefined for none (or no such node yet). */
async function currentAvatarId(bot: BotCore & PubSubFeature): Promise<string | undefined> {
  try {
    const [latest] = await bot.pubsub.items(NS_AVATAR_METADATA, { max: 1 })
    return latest?.payload?.getChild('info')?.attrs.id
  } catch (error) {
    if (error instanceof StanzaError && error.condition === 'item-not-found') return undefined
    throw error
  }
}

/** The data first, then the metadata that points to it (XEP-0084, 4.1 and 4.2). */
async function publishAvatar(bot: BotCore & PubSubFeature, avatar: Avatar): Promise<void> {
  const data = xml('data', { xmlns: NS_AVATAR_DATA }, avatar.bytes.toString('base64'))
  const info = xml('info', {
    id: avatar.sha1,
    bytes: String(avatar.bytes.length),
    type: avatar.type,
    width: String(avatar.width),
    height: String(avatar.height),
  })
  await publishOpen(bot, NS_AVATAR_DATA, data, avatar.sha1)
  await publishOpen(bot, NS_AVATAR_METADATA, xml('metadata', { xmlns: NS_AVATAR_METADATA }, info), avatar.sha1)
}

/** Publishes to an open node; a node set up otherwise already (by a client of the account) is published to as it is. */
async function publishOpen(bot: BotCore & PubSubFeature, node: string, payload: XmlElement, id: string): Promise<void> {
  try {
    await bot.pubsub.publish(node, payload, { id, options: OPEN })
  } catch (error) {
    // XEP-0060, 7.1.5: options the node's configuration does not meet come back as a conflict (precondition-not-met).
    if (!(error instanceof StanzaError && error.condition === 'conflict')) throw error
    await bot.pubsub.publish(node, payload, { id })
  }
}
