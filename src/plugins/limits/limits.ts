import type { BotCore } from '../../bot/bot-core.js'
import { MessageContext } from '../../dispatch/context/message.js'
import type { StanzaContext } from '../../dispatch/context/stanza-context.js'
import type { Next } from '../../dispatch/router.js'
import { StanzaError } from '../../errors.js'
import { bareJid, type Jid, parseJid } from '../../jid.js'
import { HandlerSlots } from '../../pacing/handler-slots.js'
import { OncePer } from '../../pacing/once-per.js'
import { stanzaBytes } from '../../pacing/stanza-bytes.js'
import { TokenBuckets } from '../../pacing/token-buckets.js'
import type { RoomsFeature } from '../rooms/rooms.js'
import type { RosterFeature } from '../roster/roster.js'
import { LIMITS_SETTINGS, type LimitSettings, type LimitsOptions, readLimitSettings } from './settings.js'

/** The longest JID there can be (RFC 7622: three parts of up to 1023 bytes); longer keys are cut to it. */
const MAX_KEY = 3071

/** Whom a stanza counts against: the key of its line, of its rate, and whether it is trusted. */
interface Sender {
  /** Its line of stanzas waiting for a slot: a bare JID, or a room occupant. */
  readonly key: string
  /** Its token bucket: the same, but a whole room for occupants whose real JID the room hides, whose nicks cost nothing to change. */
  readonly bucket: string
  /** A roster contact or an admin. */
  readonly trusted: boolean
}

/**
 * Per-sender limits on what comes in. Each sender (a bare JID; in a room, the occupant: its real JID
 * when the room discloses it, else room JID and nick) has a token bucket, smaller for strangers (not
 * in the roster, not an admin) than for contacts; occupants whose real JID the room hides share
 * their room's. Over it, its stanzas are dropped, and its IQ requests answered `policy-violation`.
 * Handlers running at once are bounded per sender and overall, with slots kept for contacts and
 * admins; a stanza finding no free slot waits in its sender's line, the lines served in turn, and
 * beyond the line's bounds (stanzas and bytes, per sender and overall) is dropped (IQs:
 * `resource-constraint`). A sender whose chat messages are dropped gets one polite notice per
 * interval, and each such sender is logged once per interval. The bot's own account and server are
 * never limited. `createBot()` installs it right after the rooms feature, so its middleware runs
 * before any of the bot's own, and room messages already carry the real JID it keys them by.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(rooms()).install(limits({ rate: 5, burst: 50 }))
 * ```
 */
export function limits(options: LimitsOptions | false = {}): (bot: BotCore & Partial<RoomsFeature> & Partial<RosterFeature>) => undefined {
  return (bot) => {
    bot.settingsTable.add(...Object.values(LIMITS_SETTINGS))
    new InboundLimits(bot, options)
    return undefined
  }
}

class InboundLimits {
  #settings!: LimitSettings
  #buckets!: TokenBuckets
  #strangerBuckets!: TokenBuckets
  #slots!: HandlerSlots
  #logged!: OncePer
  #noticed!: OncePer
  #ownJid: { text: string; parsed: Jid | undefined } | undefined

  constructor(
    private readonly bot: BotCore & Partial<RoomsFeature> & Partial<RosterFeature>,
    options: LimitsOptions | false,
  ) {
    this.#configure(readLimitSettings(options, {}))
    bot.onStart((env) => this.#configure(readLimitSettings(options, env)))
    bot.use((ctx, next) => this.#admit(ctx, next))
  }

  #configure(settings: LimitSettings): void {
    this.#settings = settings
    this.#buckets = new TokenBuckets(settings.rate)
    this.#strangerBuckets = new TokenBuckets(settings.strangerRate)
    this.#slots = new HandlerSlots(settings.slots)
    this.#logged = new OncePer(settings.noticeInterval)
    this.#noticed = new OncePer(settings.noticeInterval)
  }

  async #admit(ctx: StanzaContext, next: Next): Promise<unknown> {
    if (!this.#settings.enabled) return next()
    const who = this.#senderOf(ctx)
    if (who === undefined) return next()
    const sender = who.key
    // A room whose occupants hide their real JIDs is a crowd the bot chose to join: it gets a contact's rate as a whole.
    const buckets = who.trusted || who.bucket !== who.key ? this.#buckets : this.#strangerBuckets
    if (!buckets.take(who.bucket)) return this.#refuse(ctx, sender, 'rate')
    // The slots it entered are the ones it leaves, even if the settings change meanwhile.
    const slots = this.#slots
    const entry = slots.enter(sender, { trusted: who.trusted, bytes: stanzaBytes(ctx.stanza) })
    if (entry === false) return this.#refuse(ctx, sender, 'busy')
    if (entry !== true) await entry
    try {
      return await next()
    } finally {
      slots.leave(sender)
    }
  }

  /** Whom a stanza counts against; undefined for the bot's own account, its server, and its own nick in rooms. */
  #senderOf(ctx: StanzaContext): Sender | undefined {
    const own = this.#own()
    const isOwn = (bare: string): boolean => own !== undefined && (bare === own.bare || bare === own.domain)
    const realJid = ctx instanceof MessageContext ? ctx.realJid : undefined
    if (realJid !== undefined) {
      const bare = bareJid(realJid)
      return isOwn(bare) ? undefined : this.#person(bare.slice(0, MAX_KEY))
    }
    const from = parseJid(ctx.from)
    if (!from) return this.#person(ctx.from.slice(0, MAX_KEY))
    if (isOwn(from.bare)) return undefined
    const ownNick = this.bot.rooms?.nick(from.bare)
    // Occupants of one room share its bare JID: each is a sender of its own, but they share the room's bucket.
    if (ownNick !== undefined && from.resource) {
      if (from.resource === ownNick) return undefined
      return { key: from.full.slice(0, MAX_KEY), bucket: from.bare.slice(0, MAX_KEY), trusted: false }
    }
    return this.#person(from.bare.slice(0, MAX_KEY))
  }

  /** A sender known by bare JID: trusted when it is in the roster or an admin. */
  #person(bare: string): Sender {
    return { key: bare, bucket: bare, trusted: this.bot.isAdmin(bare) || this.bot.roster?.get(bare) !== undefined }
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
          { sender, kind: ctx.kind, running: this.#slots.running, waiting: this.#slots.waiting, waitingBytes: this.#slots.waitingBytes },
          `dropping stanzas from ${sender}: its line for a handler slot is full (not logged again for ${quiet} s)`,
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
