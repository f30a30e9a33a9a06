import { type BotOptions, bareJid, createBot, isMain } from 'natter'

// What each conversation keeps: its list, in the order items were added.
declare module 'natter' {
  interface ConversationState {
    todo?: string[]
  }
}

/** A reminder: where to send it, as what, and its text. */
interface Reminder {
  to: string
  type: 'chat' | 'groupchat'
  text: string
}

export function buildTodo(options: BotOptions = {}) {
  // A list per conversation (each sender's, or a room's), kept by ctx.state in the bot's store.
  const bot = createBot({ state: true, ...options })

  bot.subscription({ type: 'subscribe' }, (request) => request.approve())

  // Durable: the reminder waits in the store, so a restart or another process of the bot still sends it, once.
  bot.jobs.define<Reminder>('reminder', (job) => bot.say(job.data.to, `⏰ ${job.data.text}`, job.data.type))

  bot.command('todo add <text...>', 'Adds an item to the list', (cmd) => {
    const todo = (cmd.state.todo ??= [])
    todo.push(cmd.args.text)
    return cmd.reply(`Added #${todo.length}: ${cmd.args.text}`)
  })

  bot.command('todo list', 'Shows the open items', (cmd) => {
    const todo = cmd.state.todo ?? []
    return cmd.reply(todo.length === 0 ? 'The list is empty.' : todo.map((item, i) => `${i + 1}. ${item}`).join('\n'))
  })

  bot.command('todo done <n>', 'Removes item <n> from the list', (cmd) => {
    const todo = cmd.state.todo ?? []
    const n = Number(cmd.args.n)
    if (!Number.isInteger(n) || n < 1 || n > todo.length) return cmd.reply(todo.length === 0 ? 'The list is empty.' : `Give a number from 1 to ${todo.length}.`)
    const [done] = todo.splice(n - 1, 1)
    return cmd.reply(`Done: ${done}`)
  })

  bot.command('remind <seconds> <text...>', 'Reminds you of the text in <seconds>', async (cmd) => {
    const seconds = Number(cmd.args.seconds)
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 30 * 86_400) return cmd.reply('Give the seconds as a whole number from 1 to 2592000.')
    const inRoom = cmd.type === 'groupchat'
    const to = inRoom ? (cmd.room as string) : bareJid(cmd.from)
    await bot.jobs.schedule<Reminder>('reminder', { to, type: inRoom ? 'groupchat' : 'chat', text: cmd.args.text }, { in: seconds * 1000, conversation: to })
    return cmd.reply(`OK, in ${seconds} s.`)
  })

  return bot
}

if (isMain(import.meta.url)) buildTodo().run()
