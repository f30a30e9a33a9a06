import { createBot } from 'natter'

const bot = createBot()

bot.subscription({ type: 'subscribe' }, (request) => request.approve())

bot.message({ type: 'chat', body: true }, (message) => message.reply(`You said: ${message.body}`))

bot.run()
