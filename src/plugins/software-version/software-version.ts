import type { BotCore } from '../../bot/bot-core.js'
import { NS_VERSION } from '../../ns.js'
import { xml } from '../../xml.js'

/**
 * Software version (XEP-0092): answers version queries with a name and version, registered when the
 * bot starts, after the bot's own handlers. The operating system is left out on purpose: it tells
 * an attacker more than it tells a user.
 *
 * @example
 * ```ts
 * bot.install(softwareVersion({ name: 'weatherbot', version: '1.2.0' }))
 * ```
 */
export function softwareVersion(software: { name: string; version: string }): (bot: BotCore) => undefined {
  return (bot) => {
    bot.onStart(() => {
      bot.iq({ type: 'get', xmlns: NS_VERSION, element: 'query' }, () =>
        xml('query', { xmlns: NS_VERSION }, xml('name', {}, software.name), xml('version', {}, software.version)),
      )
    })
    return undefined
  }
}
