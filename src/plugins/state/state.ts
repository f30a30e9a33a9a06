import type { BotCore } from '../../bot/bot-core.js'
import type { MessageContext } from '../../dispatch/context/message.js'
import { bareJid } from '../../jid.js'
import { InOrder } from '../../pacing/in-order.js'
import type { FormationFeature } from '../formation/formation.js'
import type { RoomsFeature } from '../rooms/rooms.js'
import { StoreConflictError } from '../store/errors.js'
import { toJsonText } from '../store/json-value.js'
import { natterNamespace, type Store, type StoreFeature } from '../store/store.js'

/**
 * What a conversation keeps between messages, as `ctx.state` holds it. Empty until you say what it
 * holds, by declaration merging; everything in it must come back from JSON unchanged.
 *
 * @example
 * ```ts
 * declare module 'natter' { interface ConversationState { todo?: string[] } }
 * ```
 */
export interface ConversationState {
  [key: string]: unknown
}

declare module '../../dispatch/context/message.js' {
  interface MessageContext {
    /**
     * The state of the conversation the message belongs to (a contact's bare JID, or a room's): loaded
     * before the handlers, saved after them when they changed it and did not throw. Messages of one
     * conversation are handled one after another, so no change is lost. Only chat, normal and room
     * messages with a body have one, and only in a bot created with `{ state: true }`.
     *
     * @example
     * ```ts
     * bot.command('count', 'Counts', (cmd) => cmd.reply(String((cmd.state.count = Number(cmd.state.count ?? 0) + 1))))
     * ```
     */
    state: ConversationState
  }
}

/** Whether messages get `ctx.state`. */
export interface StateOptions {
  /**
   * Give each message its conversation's state in `ctx.state` (default false). It costs a read of the
   * store when a conversation's state is not at hand, and a write when a handler changed it; and the
   * messages of one conversation then run one after another, never side by side.
   */
  state?: boolean
}

function notEnabled(): never {
  throw new TypeError('ctx.state is off: create the bot with createBot({ state: true })')
}

/**
 * `ctx.state` in a bot without state: reading or writing any of it says how to turn it on. Set as a plain
 * property, as the real state is: an accessor defined on each message's context took some 3 % of an echo
 * bot's sampled time in a profile (BENCHMARKS.md).
 */
const STATE_OFF: ConversationState = new Proxy({}, { get: notEnabled, set: notEnabled })

/** How many conversations' states this process keeps at hand, so that a busy one does not read the store each time. */
const CACHED_CONVERSATIONS = 1_000

interface Loaded {
  readonly json: string
  readonly version: number
}

/**
 * The conversation a message belongs to: a room for its messages and its occupants' private ones,
 * the sender's bare JID otherwise; undefined for messages without a body, headlines and errors.
 */
function conversationOf(ctx: MessageContext, bot: Partial<RoomsFeature>): string | undefined {
  if (ctx.body === undefined || (ctx.type !== 'chat' && ctx.type !== 'normal' && ctx.type !== 'groupchat')) return undefined
  const from = bareJid(ctx.from)
  if (ctx.type !== 'groupchat' && bot.rooms?.nick(from) !== undefined) return ctx.from
  return from
}

/**
 * Conversation state, once asked for with `{ state: true }`: `ctx.state` for messages, per conversation, kept in the bot's store (namespace
 * `natter.state`). Loaded before the handlers, saved after them if they changed it; the messages of a
 * conversation run in order. In a formation only the process that owns a conversation handles it;
 * should another have written its state meanwhile (a handover), the save fails through the error
 * path instead of overwriting. Installed by `createBot()` after formation and limits.
 *
 * @example
 * ```ts
 * const bot = createBot({ state: true })
 * bot.command('count', 'Counts your messages', (cmd) => cmd.reply(String((cmd.state.count = Number(cmd.state.count ?? 0) + 1))))
 * ```
 */
export function state(options: StateOptions = {}): (bot: BotCore & StoreFeature & Partial<FormationFeature & RoomsFeature>) => undefined {
  return (bot) => {
    if (!options.state) {
      bot.use((ctx, next) => {
        if (ctx.kind === 'message') (ctx as MessageContext).state = STATE_OFF
        return next()
      })
      return undefined
    }
    const order = new InOrder()
    const cache = new Map<string, Loaded>()
    let store: Store | undefined
    // Another process may have written what this one kept at hand while it did not own the conversation.
    bot.formation?.on('change', () => cache.clear())

    const load = async (key: string): Promise<Loaded | undefined> => {
      const cached = cache.get(key)
      if (cached) {
        cache.delete(key)
        cache.set(key, cached)
        return cached
      }
      const entry = await (store ??= natterNamespace(bot.store, 'natter.state')).entry(key)
      return entry && { json: JSON.stringify(entry.value), version: entry.version }
    }
    const keep = (key: string, loaded: Loaded): void => {
      cache.set(key, loaded)
      if (cache.size > CACHED_CONVERSATIONS) cache.delete(cache.keys().next().value as string)
    }

    bot.use((ctx, next) => {
      if (ctx.kind !== 'message') return next()
      const msg = ctx as MessageContext
      const key = conversationOf(msg, bot)
      if (key === undefined) return next()
      return order.run(key, async () => {
        const loaded = await load(key)
        msg.state = loaded ? (JSON.parse(loaded.json) as ConversationState) : {}
        const handled = await next()
        const json = toJsonText(`state of ${key}`, msg.state)
        if (json === (loaded?.json ?? '{}')) return handled
        const target = (store ??= natterNamespace(bot.store, 'natter.state'))
        if (!(await target.replace(key, msg.state, loaded?.version ?? 0))) {
          cache.delete(key)
          throw new StoreConflictError(`state of ${key}: another process changed it while this handler ran; this handler's changes were not saved`)
        }
        // A conditional write moves the version on by one on every back end.
        keep(key, { json, version: (loaded?.version ?? 0) + 1 })
        return handled
      })
    })
    return undefined
  }
}
