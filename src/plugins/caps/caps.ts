import type { BotCore } from '../../bot/bot-core.js'
import { NS_CAPS } from '../../ns.js'
import { xml } from '../../xml.js'
import type { DiscoveryFeature } from '../discovery/discovery.js'
import { capsVer } from './caps-ver.js'

/** The node natter's caps name its software by: a URI, never fetched. */
export const CAPS_NODE = 'urn:natter:bot'

/**
 * The bot's entity capabilities as its presence carries them.
 *
 * @example
 * ```ts
 * bot.log.info({ node: bot.caps.node, ver: bot.caps.ver }, 'caps')
 * ```
 */
export interface Caps {
  /** The node naming the software, `urn:natter:bot` unless given. */
  readonly node: string
  /** The verification string of the bot's disco#info as it stands (SHA-1, base64). */
  readonly ver: string
}

/**
 * What entity capabilities add to a bot.
 *
 * @example
 * ```ts
 * function logCaps(bot: BotCore & CapsFeature): void { bot.log.info(bot.caps, 'caps') }
 * ```
 */
export interface CapsFeature {
  readonly caps: Caps
}

/**
 * Entity capabilities (XEP-0115): the bot's presence carries `<c/>` with the hash of its disco#info, so that
 * clients learn its features once per version instead of asking each time; disco#info on `node#ver` is
 * answered as on the bot itself. A feature added after start (by a plugin, or `bot.features.add()`) changes
 * the hash, and the presence goes out again with it. `createBot()` installs it, after discovery.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(discovery({ name: 'natter' })).install(caps())
 * ```
 */
export function caps(node = CAPS_NODE): (bot: BotCore & DiscoveryFeature) => CapsFeature {
  return (bot) => {
    let ver: string | undefined
    let resend = false
    // Until the bot's first presence is out, a change needs no presence of its own: the first carries it.
    let announced = false
    bot.on('ready', () => {
      announced = true
    })
    const current = (): string => (ver ??= capsVer(bot.discoInfo()))
    bot.features.add(NS_CAPS)
    bot.features.onChange(() => {
      ver = undefined
      // Several features often come at once: one presence for all of them.
      if (!announced || !bot.online || resend) return
      resend = true
      queueMicrotask(() => {
        resend = false
        bot.refreshPresence().catch((e: unknown) => bot.log.warn({ err: e }, 'cannot send the new caps'))
      })
    })
    bot.decoratePresence((presence) => presence.append(xml('c', { xmlns: NS_CAPS, hash: 'sha-1', node, ver: current() })))
    bot.discoNodes.add((asked) => asked === `${node}#${current()}`, { info: () => bot.discoInfo().getChildElements() })
    return {
      caps: {
        node,
        get ver() {
          return current()
        },
      },
    }
  }
}
