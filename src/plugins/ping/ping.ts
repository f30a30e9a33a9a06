import type { BotCore } from '../../bot/bot-core.js'
import { NS_PING } from '../../ns.js'
import { xml } from '../../xml.js'
import type { DiscoveryFeature } from '../discovery/discovery.js'

/**
 * What pinging adds to a bot.
 *
 * @example
 * ```ts
 * bot.log.info({ ms: await bot.ping() }, 'round trip to the server')
 * ```
 */
export interface PingFeature {
  /**
   * Pings a JID (XEP-0199), or the bot's server when `to` is omitted, and resolves with the round
   * trip in ms; rejects like `request()` when the ping is refused or unanswered.
   *
   * @example
   * ```ts
   * const ms = await bot.ping('alice@example.org/phone')
   * ```
   */
  ping(to?: string, timeout?: number): Promise<number>
}

/**
 * Pings (XEP-0199) on demand: `bot.ping()`, and announces XEP-0199 through service discovery when the bot has it
 * (the transport answers inbound pings itself). `createBot()` installs it.
 *
 * @example
 * ```ts
 * const rtt = await new BotCore(options).install(ping()).ping()
 * ```
 */
export function ping(): (bot: BotCore & Partial<DiscoveryFeature>) => PingFeature {
  return (bot) => {
    bot.features?.add(NS_PING)
    return {
      async ping(to?: string, timeout = 10_000): Promise<number> {
        const started = performance.now()
        await bot.request({ to, type: 'get', payload: xml('ping', { xmlns: NS_PING }), timeout })
        return performance.now() - started
      },
    }
  }
}
