import type { BotCore } from '../../bot/bot-core.js'
import { MessageContext } from '../../dispatch/context/message.js'
import type { StanzaContext } from '../../dispatch/context/stanza-context.js'
import type { Next } from '../../dispatch/router.js'
import { StanzaError } from '../../errors.js'
import { bareJid, type Jid, parseJid } from '../../jid.js'
import { HandlerSlots } from '../../pacing/handler-slots.js'
import { OncePer } from '../../pacing/once-per.js'
import { TokenBuckets } from '../../pacing/token-buckets.js'
import type { RoomsFeature } from '../rooms/rooms.js'
import { LIMITS_SETTINGS, type LimitSettings, type LimitsOptions, readLimitSettings } from './settings.js'

/** The longest JID there can be (RFC 7622: three parts of up to 1023 bytes); longer keys are cut to it. */
const MAX_KEY = 3071

/**
 * Per-sender limits on what comes in. Each sender (a bare JID; in a room, the occupant: its real JID
 * when the room discloses it, else room JID and nick) has a token bucket: over it, its stanzas are
 * dropped, and its IQ requests answered `policy-violation`. Handlers running at once are bounded per
 * sender and overall; a stanza finding no free slot waits in a short line, and beyond that is dropped
 * (IQs: `resource-constraint`). A sender whose chat messages are dropped gets one polite notice per
 * interval, and each such sender is logged once per interval. The bot's own account and server are
 * never limited. `createBot()` installs it right after the rooms feature, so its middleware runs
 * before any of the bot's own, and room messages already carry the real JID it keys them by.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(rooms()).install(limits({ rate: 5, burst: 50 }))
 * ```
 */
export function limits(options: LimitsOptions | false = {}): (bot: BotCore & Partial<RoomsFeature>) => undefined {
  return (bot) => {
    bot.settingsTable.add(...Object.values(LIMITS_SETTINGS))
    new InboundLimits(bot, options)
    return undefined
  }
}

class InboundLimits {
  #settings!: LimitSettings
  #buckets!: TokenBuckets
  #slots!: HandlerSlots
  #logged!: OncePer
  #noticed!: OncePer
  #ownJid: { text: string; parsed: Jid | undefined } | undefined

  constructor(
    private readonly bot: BotCore & Partial<RoomsFeature>,
    options: LimitsOptions | false,
  ) {
    this.#configure(readLimitSettings(options, {}))
    bot.onStart((env) => this.#configure(readLimitSettings(options, env)))
    bot.use((ctx, next) => this.#admit(ctx, next))
  }

  #configure(settings: LimitSettings): void {
    this.#settings = settings
    this.#buckets = new TokenBuckets(settings.rate)
    this.#slots = new HandlerSlots(settings.slots)
    this.#logged = new OncePer(settings.noticeInterval)
    this.#noticed = new OncePer(settings.noticeInterval)
  }

  async #admit(ctx: StanzaContext, next: Next): Promise<unknown> {
    if (!this.#settings.enabled) return next()
    const sender = this.#senderOf(ctx)
    if (sender === undefined) return next()
    if (!this.#buckets.take(sender)) return this.#refuse(ctx, sender, 'rate')
    // The slots it entered are the ones it leaves, even if the settings change meanwhile.
    const slots = this.#slots
    const entry = slots.enter(sender)
    if (entry === false) return this.#refuse(ctx, sender, 'busy')
    if (entry !== true) await entry
    try {
      return await next()
    } finally {
      slots.leave(sender)
    }
  }

  /** Whom a stanza counts against; undefined for the bot's own account, its server, and its own nick in rooms. */
  #senderOf(ctx: StanzaContext): string | undefined {
    const own = this.#own()
    const isOwn = (bare: string): boolean => own !== undefined && (bare === own.bare || bare === own.domain)
    const realJid = ctx instanceof MessageContext ? ctx.realJid : undefined
    if (realJid !== undefined) {
      const bare = bareJid(realJid)
      return isOwn(bare) ? undefined : bare.slice(0, MAX_KEY)
    }
    const from = parseJid(ctx.from)
    if (!from) return ctx.from.slice(0, MAX_KEY)
    if (isOwn(from.bare)) return undefined
    const ownNick = this.bot.rooms?.nick(from.bare)
    // Occupants of one room share its bare JID: each is a sender of its own.
    if (ownNick !== undefined && from.resource) return from.resource === ownNick ? undefined : from.full.slice(0, MAX_KEY)
    return from.bare.slice(0, MAX_KEY)
  }

  /** The bot's own JID, parsed once per session rather than once per stanza. */
  #own(): Jid | undefined {
    const jid = this.bot.jid
    if (this.#ownJid?.text !== jid) this.#ownJid = { text: jid, parsed: parseJid(jid) }
    return this.#ownJid.parsed
  }

  #refuse(ctx: StanzaContext, sender: string, reason: 'rate' | 'busy'): void {
    if (this.#logged.take(sender)) {
      const quiet = Math.round(this.#settings.noticeInterval / 1000)
      if (reason === 'rate') ctx.log.warn({ sender, kind: ctx.kind }, `dropping stanzas from ${sender}: over its rate limit (not logged again for ${quiet} s)`)
      else
        ctx.log.warn(
          { sender, kind: ctx.kind, running: this.#slots.running, waiting: this.#slots.waiting },
          `dropping stanzas from ${sender}: too many handlers running (not logged again for ${quiet} s)`,
        )
    }
    // An IQ request is always answered; an error reply is never answered back, so it cannot loop.
    if (ctx.stanza.name === 'iq') {
      throw reason === 'rate'
        ? new StanzaError('policy-violation', 'wait', 'too many requests; try again later')
        : new StanzaError('resource-constraint', 'wait', 'too busy; try again later')
    }
    const notice = this.#settings.notice
    // Never to a room, nor in answer to an error or a message without a body: that could start a loop.
    if (notice === undefined || !(ctx instanceof MessageContext) || ctx.body === undefined) return
    if ((ctx.type !== 'chat' && ctx.type !== 'normal') || !this.#noticed.take(sender)) return
    ctx.reply(notice).catch((error: unknown) => ctx.log.debug({ err: error, sender }, 'cannot send the notice'))
  }
}
