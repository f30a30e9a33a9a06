/**
 * natter: XMPP chatbots in a few lines of TypeScript.
 *
 * @example
 * ```ts
 * import { createBot } from 'natter'
 *
 * const bot = createBot()
 * bot.subscription({ type: 'subscribe' }, (req) => req.approve())
 * bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
 * bot.run()
 * ```
 * @packageDocumentation
 */
export { Bot, type BotEvents, type BotOptions, createBot, type IqField, type MessageField, type PresenceField, type RosterField, type SubscriptionField, type Wire } from './bot.js'
export { type Flags, parseFlags, runProcess, usage } from './cli.js'
export { loadSettings, type RoomSetting, type Settings } from './config.js'
export { StanzaContext, type BotLink } from './context/base.js'
export { IqContext } from './context/iq.js'
export { type ChatState, MessageContext, type MessageType } from './context/message.js'
export { PresenceContext, type PresenceType, type Show } from './context/presence.js'
export { SubscriptionContext, type SubscriptionType } from './context/subscription.js'
export { ConfigError, ConnectError, ExitCode, FatalError, type FatalReason, StanzaError, UsageError, type StanzaErrorType, UndeliveredError, type UndeliveredReason } from './errors.js'
export type { FieldPattern, Guard, GuardObject, Guards, Narrow } from './guards.js'
export { type Jid, bareJid, parseJid } from './jid.js'
export type { Logger, LogLevel } from './log.js'
export type { Handler, Middleware, Next } from './router.js'
export type { SessionOptions } from './session.js'
export type { OutboxOptions } from './outbox.js'
export type { BackoffOptions } from './backoff.js'
export { xml, type XmlChild, type XmlElement } from './xml.js'
export { VERSION } from './version.js'
export { type CommandArgs, type CommandContext, type CommandOptions } from './commands.js'
export { Features } from './disco.js'
export { type Occupant, type RoomOptions, Rooms } from './muc.js'
export { Roster, RosterContext, type RosterItem, type RosterSubscription } from './roster.js'
export { TestChat } from './testing.js'
