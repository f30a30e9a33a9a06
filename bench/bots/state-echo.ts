// The echo example's handler, with and without conversation state: with `BENCH_STATE=off` it only echoes; otherwise
// it also reads and writes ctx.state (a count per sender) on every message, in the store `STORE_BACKEND` names.
import { createBot } from 'natter'

const withState = process.env.BENCH_STATE !== 'off'
const bot = createBot({ state: withState })

bot.message({ type: 'chat', body: true }, (msg) => {
  if (withState) msg.state.count = Number(msg.state.count ?? 0) + 1
  return msg.reply(`You said: ${msg.body}`)
})

bot.run()
