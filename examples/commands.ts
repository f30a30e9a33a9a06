import { type BotOptions, bareJid, createBot, isMain } from 'natter'

export function buildCommands(options: BotOptions = {}) {
  const bot = createBot({ admins: process.env.BOT_ADMINS?.split(','), ...options })

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

  // Scheduled, not awaited: a restart neither waits for the reminder nor loses it without a word.
  bot.command('remind <seconds> <text...>', 'Reminds you of the text in <seconds> (up to a day)', (cmd) => {
    const seconds = Number(cmd.args.seconds)
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) return cmd.reply('Give the seconds as a whole number from 1 to 86400.')
    try {
      bot.schedule(seconds * 1000, `reminder for ${cmd.from}: ${cmd.args.text}`, () => cmd.reply(`⏰ ${cmd.args.text}`), {
        dropped: () => cmd.reply(`I am restarting and lost your reminder "${cmd.args.text}", sorry: please set it again.`),
        for: bareJid(cmd.from),
      })
    } catch {
      // Bounded per sender and in all: over the bound the call throws, and the sender hears why.
      return cmd.reply('You have too many reminders waiting (or they are too long); let some of them come first.')
    }
    return cmd.reply(`OK, in ${seconds} s.`)
  })

  return bot
}

if (isMain(import.meta.url)) buildCommands().run()
