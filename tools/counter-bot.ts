// The bot of the state drills: `count <n>` adds one to the sender's counter (in ctx.state) and answers
// `counted <n>: <total>`; `total` answers the counter; `remind <ms> <text...>` sends the text back after that
// long, as a durable job; `who` answers the contacts this process knows online, `online: <bare JIDs, sorted>`.
import { bareJid, createBot } from 'natter'

declare module 'natter' {
  interface ConversationState {
    count?: number
  }
}

const bot = createBot({ state: true })

bot.jobs.define<{ to: string; text: string }>('reminder', (job) => bot.say(job.data.to, `reminder: ${job.data.text}`))

bot.command('count <n>', 'Adds one to your counter', (cmd) => {
  cmd.state.count = (cmd.state.count ?? 0) + 1
  return cmd.reply(`counted ${cmd.args.n}: ${cmd.state.count}`)
})

bot.command('total', 'Shows your counter', (cmd) => cmd.reply(`total: ${cmd.state.count ?? 0}`))

bot.command('remind <ms> <text...>', 'Sends the text back after <ms>', async (cmd) => {
  const to = bareJid(cmd.from)
  await bot.jobs.schedule('reminder', { to, text: cmd.args.text }, { in: Number(cmd.args.ms), conversation: to })
  return cmd.reply(`reminding in ${cmd.args.ms} ms`)
})

bot.command('who', 'Lists the contacts online', (cmd) =>
  cmd.reply(
    `online: ${bot.contacts
      .online()
      .map((c) => c.jid)
      .join(', ')}`,
  ),
)

bot.run()
