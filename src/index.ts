/**
 * natter: XMPP chatbots in a few lines of TypeScript. This entry is for bot authors; the test kit
 * is `natter/testing`.
 *
 * @example
 * ```ts
 * import { createBot, isMain } from 'natter'
 *
 * export function buildEcho() {
 *   const bot = createBot()
 *   bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
 *   return bot
 * }
 *
 * if (isMain(import.meta.url)) buildEcho().run()
 * ```
 * @packageDocumentation
 */

export type { BackoffOptions } from './backoff.js'
export type { BotCore } from './bot.js'
export type { BotEvents } from './bot-events.js'
export { type Flags, parseFlags, type RunnableBot, runProcess, usage } from './cli.js'
export type { CommandArgs, CommandContext, CommandOptions } from './commands.js'
export type { Composer, ComposerOptions, RegistrationListener, StanzaKinds } from './composer.js'
export { loadSettings, type SettingOptions, type Settings } from './config.js'
export type { StanzaContext } from './context/base.js'
export type { IqContext, IqField } from './context/iq.js'
export type { ChatState, MessageContext, MessageField, MessageType } from './context/message.js'
export type { PresenceContext, PresenceField, PresenceType, Show } from './context/presence.js'
export type { SubscriptionContext, SubscriptionField, SubscriptionType } from './context/subscription.js'
export type { CoreOptions, Env } from './core-options.js'
export { type Bot, type BotOptions, createBot } from './create-bot.js'
export {
  ConfigError,
  ConnectError,
  ExitCode,
  FatalError,
  type FatalReason,
  StanzaError,
  type StanzaErrorType,
  UndeliveredError,
  type UndeliveredReason,
  UsageError,
} from './errors.js'
export type { Exact, FieldPattern, Guard, GuardObject, Guards, ImpliedFields, Narrow } from './guards.js'
export { bareJid, type Jid, parseJid } from './jid.js'
export type { Logger, LogLevel } from './log.js'
export { isMain } from './main-module.js'
export type { OutboxOptions } from './outbox.js'
export type { Plugin } from './plugin.js'
export type { DiscoFeature, Features } from './plugins/disco.js'
export type { Formation, FormationChange, FormationFeature, FormationOptions } from './plugins/formation/formation.js'
export type { LimitsOptions } from './plugins/limits-settings.js'
export type { Occupant, RoomOptions, Rooms, RoomsFeature, RoomsOptions } from './plugins/muc.js'
export type { PingFeature } from './plugins/ping.js'
export type { RosterFeature, RosterField, RosterItem, RosterPushContext, RosterSubscription } from './plugins/roster.js'
export type { ScheduledJob, ScheduleFeature, ScheduleOptions } from './plugins/schedule.js'
export type { Handler, Middleware, Next } from './router.js'
export type { ReconnectOptions } from './session.js'
export { defineKind, type IqAnswer, type Outcome, type StanzaKind } from './stanza-kind.js'
export { VERSION } from './version.js'
export { type XmlChild, type XmlElement, xml } from './xml.js'
