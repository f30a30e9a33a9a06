import { type BotOptions, createBot, isMain } from 'natter'

export function buildEcho(options: BotOptions = {}) {
  const bot = createBot(options)
  bot.subscription({ type: 'subscribe' }, (request) => request.approve())
  bot.message({ type: 'chat', body: true }, (message) => message.reply(`You said: ${message.body}`))
  return bot
}

if (isMain(import.meta.url)) buildEcho().run()
