import { type BotOptions, createBot, isMain, parseJid } from 'natter'

/**
 * Notifications from anywhere into chat: `POST /notify` with `{"to": "<a JID or a room the bot is in>",
 * "text": "..."}`, signed like GitHub signs (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body
 * with WEBHOOK_SECRET>`). Served when the process has PORT, with /healthz and /metrics beside it.
 */
export function buildNotify(options: BotOptions = {}) {
  const bot = createBot(options)

  bot.webhook('/notify', { secret: { env: 'WEBHOOK_SECRET' } }, (hook) => {
    const { to, text } = (hook.json ?? {}) as { to?: unknown; text?: unknown }
    const target = typeof to === 'string' ? parseJid(to) : undefined
    if (!target?.local || typeof text !== 'string' || text.trim() === '') {
      return Response.json({ error: 'expected {"to": "<JID or room>", "text": "..."}' }, { status: 422 })
    }
    // A room the bot is in gets a groupchat message; anyone else (an occupant's room/nick too) a chat.
    const room = !target.resource && bot.rooms.nick(target.bare) !== undefined
    hook.say(target.full, text, room ? 'groupchat' : 'chat')
  })

  return bot
}

if (isMain(import.meta.url)) buildNotify().run()
