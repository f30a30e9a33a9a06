import type { BotCore } from '../../bot/bot-core.js'
import { MessageContext } from '../../dispatch/context/message.js'
import type { StanzaContext } from '../../dispatch/context/stanza-context.js'
import { OncePer } from '../../pacing/once-per.js'
import { ERROR_REPLY_SETTING, REF_PLACEHOLDER, readErrorReply } from './settings.js'

/** At most one reply per sender in this many ms, however many of its messages fail. */
const REPLY_INTERVAL = 10_000

/**
 * Tells the sender of a chat or room message that handling it failed, with the reference the error
 * log line carries, so that "it did not answer" becomes something the bot's keeper can look up.
 * Never in answer to an error, a message without a body, or a message that itself reads like such a
 * reply (two bots failing on each other's replies would loop), and at most once per sender every
 * few seconds. `createBot()` installs it; `errorReply: false` or `XMPP_ERROR_REPLY=off` turns it off.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(errorReply('Oops, that broke (ref {ref}); tell the ops team.'))
 * ```
 */
export function errorReply(option?: string | false): (bot: BotCore) => undefined {
  return (bot) => {
    bot.settingsTable.add(ERROR_REPLY_SETTING)
    let reply = readErrorReply(option, {})
    bot.onStart((env) => {
      reply = readErrorReply(option, env)
    })
    const replied = new OncePer(REPLY_INTERVAL)
    bot.on('failed', ({ ctx, ref }) => {
      if (reply === false || !answerable(ctx, reply)) return
      if (!replied.take(ctx.realJid ?? ctx.from)) return
      ctx.reply(reply.replaceAll(REF_PLACEHOLDER, ref)).catch((error: unknown) => ctx.log.debug({ err: error, ref }, 'cannot send the error reply'))
    })
    return undefined
  }
}

function answerable(ctx: StanzaContext, reply: string): ctx is MessageContext & { body: string } {
  if (!(ctx instanceof MessageContext) || ctx.body === undefined) return false
  if (ctx.type !== 'chat' && ctx.type !== 'groupchat') return false
  return !looksLikeFailureReply(ctx.body, reply)
}

/**
 * Whether `body` is this reply as another bot would send it (the text around the reference, any
 * reference), or reads like the default one.
 */
function looksLikeFailureReply(body: string, reply: string): boolean {
  const pattern = reply
    .split(REF_PLACEHOLDER)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('\\S+')
  return new RegExp(`^\\s*${pattern}\\s*$`, 'i').test(body) || /\bsomething went wrong\b.*\bref\b/i.test(body)
}
