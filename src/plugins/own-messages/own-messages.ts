import type { BotCore } from '../../bot/bot-core.js'

/**
 * Keeps messages the bot sent to itself from its handlers, unless `receive.ownMessages` asks for
 * them: a bot that answers what it hears must not answer itself. `createBot()` installs it.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(ownMessages({ receive: { ownMessages: false } }))
 * ```
 */
export function ownMessages(options: { receive?: { ownMessages?: boolean } } = {}): (bot: BotCore) => undefined {
  return (bot) => {
    if (options.receive?.ownMessages) return undefined
    bot.use((ctx, next) => (ctx.kind === 'message' && ctx.from === bot.jid ? undefined : next()))
    return undefined
  }
}
