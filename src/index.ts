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

// In sections, from what every bot author needs to what few do. The blank line under each heading
// keeps the formatter's sorting inside the section.

// The bot and its options: make one, configure it, follow its lifecycle.

export type { BotCore } from './bot/bot-core.js'
export type { CoreOptions, Env } from './bot/core-options.js'
export type { BotEvents } from './bot/events.js'
export type { Queues } from './bot/queues.js'
export { type Bot, type BotOptions, createBot } from './create-bot.js'
export type { Logger, LogLevel } from './log/logger.js'
export type { BackoffOptions } from './wire/backoff.js'
export type { OutboxOptions } from './wire/outbox.js'
export type { ReconnectOptions } from './wire/session.js'

// Contexts: what a handler gets for each kind of stanza, and the fields its guards can test.

export type { IqContext, IqField } from './dispatch/context/iq.js'
export type { ChatState, MessageContext, MessageField, MessageType, ReplyOptions } from './dispatch/context/message.js'
export type { Marker, MarkerType, Reaction, ReplyTo } from './dispatch/context/message-references.js'
export type { SayOptions, TextOptions } from './dispatch/context/outgoing-text.js'
export type { PresenceContext, PresenceField, PresenceType, Show } from './dispatch/context/presence.js'
export type { ContextLink, StanzaContext } from './dispatch/context/stanza-context.js'
export type { SubscriptionContext, SubscriptionField, SubscriptionType } from './dispatch/context/subscription.js'
export type { RosterField, RosterPushContext } from './plugins/roster/roster.js'

// Guards and handlers: which stanzas a handler takes, and the chain it runs in.

export type { Exact, FieldPattern, Guard, GuardObject, Guards, ImpliedFields, Narrow } from './dispatch/guards.js'
export type { Handler, Middleware, Next } from './dispatch/router.js'

// Commands: `bot.command('weather <city>', ...)` and what its handler gets.

export type { CommandArgs, CommandContext, CommandOptions } from './dispatch/commands.js'

// Errors: what natter throws, and the exit codes a bot process ends with.

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

// The features `createBot()` installs: what each adds to the bot, and its options.

export type { ContactPresence, Contacts, ContactsFeature } from './plugins/contacts/contacts.js'
export type { DiscoveryFeature, Features } from './plugins/discovery/discovery.js'
export type { FileUploadFeature, SendFileOptions } from './plugins/file-upload/file-upload.js'
export { FileUploadError, type FileUploadFailure } from './plugins/file-upload/upload-error.js'
export type { Formation, FormationChange, FormationFeature } from './plugins/formation/formation.js'
export type { FormationOptions } from './plugins/formation/settings.js'
export type { LimitsOptions } from './plugins/limits/settings.js'
export type { PingFeature } from './plugins/ping/ping.js'
export type { Occupant, RoomOptions, Rooms, RoomsFeature, RoomsOptions } from './plugins/rooms/rooms.js'
export type { Roster, RosterFeature, RosterItem, RosterSubscription } from './plugins/roster/roster.js'
export type { ScheduledJob, ScheduleFeature, ScheduleOptions } from './plugins/schedule/schedule.js'
export { SCHEDULE_BOUNDS } from './plugins/schedule/schedule.js'

// Rooms' invitations, PubSub and PEP, and the bot's name and avatar.

export type { InvitationContext, InvitationField } from './plugins/invitations/invitation.js'
export type { InvitationsFeature, InvitedRooms } from './plugins/invitations/invitations.js'
export type { InvitePolicy } from './plugins/invitations/settings.js'
export type { ProfileFeature } from './plugins/profile/profile.js'
export type { ProfileOptions } from './plugins/profile/settings.js'
export type { NodeConfig } from './plugins/pubsub/config-form.js'
export type { PubSubEventContext, PubSubEventField, PubSubItem } from './plugins/pubsub/event.js'
export type { PublishOptions, PubSub, PubSubEventOptions, PubSubFeature, PubSubTarget } from './plugins/pubsub/pubsub.js'

// State: the store, conversation state and durable jobs.

export type { Job, JobOptions, Jobs, JobsFeature } from './plugins/jobs/jobs.js'
export { JOBS_BOUNDS } from './plugins/jobs/jobs.js'
export type { ConversationState, StateOptions } from './plugins/state/state.js'
export { StoreConflictError, StoreFormatError, StoreUnavailableError } from './plugins/store/errors.js'
export type { JsonValue } from './plugins/store/json-value.js'
export type { StoreBackendKind, StoreOptions } from './plugins/store/settings.js'
export type { Store, StoreEntry, StoreFeature } from './plugins/store/store.js'

// The web side: routes, webhooks, /healthz and /metrics, served when the process has PORT.

export type { HttpRequest } from './plugins/web/http-request.js'
export type { HttpHandler, HttpResult, RouteOptions } from './plugins/web/route.js'
export type { WebOptions } from './plugins/web/settings.js'
export { type SignatureScheme, signBody } from './plugins/web/signature.js'
export type { Http, WebFeature, WebhookOptions } from './plugins/web/web.js'

// For plugin authors: a feature's type, registering handlers, new stanza kinds, and stanzas as XML.

export type { Plugin } from './bot/plugin.js'
export type { Composer, ComposerOptions, ErrorHook, RegistrationListener, StanzaKinds } from './dispatch/composer.js'
export { defineKind, type Outcome, type StanzaKind } from './dispatch/stanza-kind.js'
export type { IqAnswer } from './iq-answer.js'
export { type AlwaysSet, type OptionValue, readSetting, type Setting } from './settings/setting.js'
export type { SettingsTable } from './settings/settings-table.js'
export { type XmlChild, type XmlElement, xml } from './xml.js'

// XMPP extensions: data forms (XEP-0004), ad-hoc commands (XEP-0050), entity capabilities (XEP-0115).

export type { AdhocFeature } from './plugins/adhoc/adhoc.js'
export type {
  AdhocForm,
  AdhocHandler,
  AdhocNote,
  AdhocOptions,
  AdhocResult,
  AdhocRun,
  AdhocStage,
} from './plugins/adhoc/adhoc-command.js'
export type { Caps, CapsFeature } from './plugins/caps/caps.js'
export { capsVer } from './plugins/caps/caps-ver.js'
export type { DiscoItem, DiscoNodes, NodeAnswers } from './plugins/discovery/disco-nodes.js'
export { type DataForm, dataForm, type FieldOption, type FieldType, type FormField, type FormType, parseDataForm } from './plugins/forms/data-form.js'
export { FormError, type FormValue, type FormValues, readForm } from './plugins/forms/form-values.js'

// Running a process: the bot's entry point, and its settings as read from the environment.

export type { Rate } from './pacing/token-buckets.js'
export { isMain } from './process/is-main.js'
export { loadSettings, type SettingOptions, type Settings } from './settings/settings.js'

// JIDs, and natter's own version.

export { bareJid, type Jid, parseJid } from './jid.js'
export { VERSION } from './version.js'
