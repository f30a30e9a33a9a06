import { createBot } from 'natter'

const bot = createBot({ admins: process.env.BOT_ADMINS?.split(',') })

bot.subscription({ type: 'subscribe' }, (request) => request.approve())

bot.command('echo <text...>', 'Repeats the text', (cmd) => cmd.reply(cmd.args.text))

bot.command('time', 'Tells the time (UTC)', (cmd) => cmd.reply(new Date().toISOString()))

bot.command('roll [sides]', 'Rolls a die with 6 or [sides] sides', (cmd) => {
  const sides = Number(cmd.args.sides ?? 6)
  if (!Number.isInteger(sides) || sides < 2 || sides > 1000) return cmd.reply('A die has 2 to 1000 sides.')
  return cmd.reply(`🎲 ${1 + Math.floor(Math.random() * sides)}`)
})

bot.command('uptime', 'How long the bot has been running', (cmd) => cmd.reply(`Up for ${Math.round(process.uptime())} s`))

bot.command('wait <seconds>', 'Shows typing for up to 15 s, then answers', async (cmd) => {
  const seconds = Math.min(15, Math.max(0, Number(cmd.args.seconds) || 0))
  await cmd.typing()
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  await cmd.reply(`Waited ${seconds} s`)
})

bot.run()
