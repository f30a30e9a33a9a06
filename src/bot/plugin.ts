import type { BotCore } from './bot-core.js'

/**
 * A feature: a function that gets the bot, registers what it needs through the bot's public API,
 * and returns what it adds to the bot (or nothing).
 *
 * @example
 * ```ts
 * const uptime: Plugin<{ uptime(): number }> = (bot) => {
 *   const since = Date.now()
 *   bot.command('uptime', 'How long the bot has been up', (cmd) => cmd.reply(`${Math.round((Date.now() - since) / 1000)} s`))
 *   return { uptime: () => Date.now() - since }
 * }
 * ```
 */
export type Plugin<E extends object = Record<never, never>> = (bot: BotCore) => E | undefined
