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

export type { BotCore } from './bot/bot-core.js'
export type { CoreOptions, Env } from './bot/core-options.js'
export type { BotEvents } from './bot/events.js'
export type { Plugin } from './bot/plugin.js'
export { type Bot, type BotOptions, createBot } from './create-bot.js'
export type { CommandArgs, CommandContext, CommandOptions } from './dispatch/commands.js'
export type { Composer, ComposerOptions, RegistrationListener, StanzaKinds } from './dispatch/composer.js'
export type { StanzaContext } from './dispatch/context/base.js'
export type { IqContext, IqField } from './dispatch/context/iq.js'
export type { ChatState, MessageContext, MessageField, MessageType } from './dispatch/context/message.js'
export type { PresenceContext, PresenceField, PresenceType, Show } from './dispatch/context/presence.js'
export type { SubscriptionContext, SubscriptionField, SubscriptionType } from './dispatch/context/subscription.js'
export type { Exact, FieldPattern, Guard, GuardObject, Guards, ImpliedFields, Narrow } from './dispatch/guards.js'
export type { Handler, Middleware, Next } from './dispatch/router.js'
export { defineKind, type IqAnswer, type Outcome, type StanzaKind } from './dispatch/stanza-kind.js'
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
export { bareJid, type Jid, parseJid } from './jid.js'
export type { Logger, LogLevel } from './log/logger.js'
export type { DiscoFeature, Features } from './plugins/discovery/discovery.js'
export type { Formation, FormationChange, FormationFeature, FormationOptions } from './plugins/formation/formation.js'
// --- State: the store, conversation state, durable jobs (issue 17) ---
export type { Job, JobOptions, Jobs, JobsFeature } from './plugins/jobs/jobs.js'
export type { LimitsOptions } from './plugins/limits/settings.js'
export type { PingFeature } from './plugins/ping/ping.js'
export type { Occupant, RoomOptions, Rooms, RoomsFeature, RoomsOptions } from './plugins/rooms/rooms.js'
export type { RosterFeature, RosterField, RosterItem, RosterPushContext, RosterSubscription } from './plugins/roster/roster.js'
export type { ScheduledJob, ScheduleFeature, ScheduleOptions } from './plugins/schedule/schedule.js'
export type { ConversationState, StateOptions } from './plugins/state/state.js'
export { StoreConflictError, StoreFormatError, StoreUnavailableError } from './plugins/store/errors.js'
export type { JsonValue } from './plugins/store/json-value.js'
export type { StoreBackendKind, StoreOptions } from './plugins/store/settings.js'
export type { Store, StoreEntry, StoreFeature } from './plugins/store/store.js'
export { isMain } from './process/is-main.js'
export { type Flags, parseFlags, type RunnableBot, runProcess, usage } from './process/run-process.js'
export { loadSettings, type SettingOptions, type Settings } from './settings/settings.js'
export { VERSION } from './version.js'
export type { BackoffOptions } from './wire/backoff.js'
export type { OutboxOptions } from './wire/outbox.js'
export type { ReconnectOptions } from './wire/session.js'
export { type XmlChild, type XmlElement, xml } from './xml.js'
