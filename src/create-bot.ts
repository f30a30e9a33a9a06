import { BotCore } from './bot/bot-core.js'
import type { CoreOptions } from './bot/core-options.js'
import { type AdhocFeature, adhoc } from './plugins/adhoc/adhoc.js'
import { type CapsFeature, caps } from './plugins/caps/caps.js'
import { type ContactsFeature, contacts } from './plugins/contacts/contacts.js'
import { type DiscoveryFeature, discovery } from './plugins/discovery/discovery.js'
import { errorReply } from './plugins/error-reply/error-reply.js'
import { type FileUploadFeature, fileUpload } from './plugins/file-upload/file-upload.js'
import { type FormationFeature, formation } from './plugins/formation/formation.js'
import type { FormationOptions } from './plugins/formation/settings.js'
import { type InvitationsFeature, invitations } from './plugins/invitations/invitations.js'
import { type JobsFeature, jobs } from './plugins/jobs/jobs.js'
import { limits } from './plugins/limits/limits.js'
import type { LimitsOptions } from './plugins/limits/settings.js'
import { ownMessages } from './plugins/own-messages/own-messages.js'
import { type PingFeature, ping } from './plugins/ping/ping.js'
import { type ProfileFeature, profile } from './plugins/profile/profile.js'
import type { ProfileOptions } from './plugins/profile/settings.js'
import { type PubSubFeature, pubsub } from './plugins/pubsub/pubsub.js'
import { type RoomsFeature, type RoomsOptions, rooms } from './plugins/rooms/rooms.js'
import { type RosterFeature, roster } from './plugins/roster/roster.js'
import { type ScheduleFeature, schedule } from './plugins/schedule/schedule.js'
import { softwareVersion } from './plugins/software-version/software-version.js'
import { type StateOptions, state } from './plugins/state/state.js'
import type { StoreOptions } from './plugins/store/settings.js'
import { type StoreFeature, store } from './plugins/store/store.js'
import type { WebOptions } from './plugins/web/settings.js'
import { type WebFeature, web } from './plugins/web/web.js'
import type { Setting } from './settings/setting.js'
import { VERSION } from './version.js'

/**
 * Everything a bot can be given in code; each setting overrides its environment variable.
 *
 * @example
 * ```ts
 * const bot = createBot({ jid: 'bot@example.org', password: process.env.SECRET, reconnect: { maxDelay: 30_000 } })
 * ```
 */
export interface BotOptions extends CoreOptions, RoomsOptions, FormationOptions, StateOptions, ProfileOptions {
  /**
   * Messages that handlers do not see unless asked for: the bot's own messages (as rooms reflect
   * them) and room history replayed on join. Delayed 1:1 messages, kept by the server while the
   * bot was away, always reach handlers (`ctx.delayed` tells them apart).
   */
  receive?: { ownMessages?: boolean; roomHistory?: boolean }
  /**
   * Per-sender limits on what comes in: a rate, and handlers running at once (see
   * docs/security.md, "Floods and loops"). On by default; `false` turns them off, as does `XMPP_LIMITS=off`.
   */
  limits?: LimitsOptions | false
  /** The web side, served when the process has `PORT`: port, body limit, `/metrics` token. */
  web?: WebOptions
  /** Where `bot.store` keeps values: the bot's own XMPP account by default, PostgreSQL with `DATABASE_URL` (see docs/state.md). */
  store?: StoreOptions
  /**
   * What a sender is told when a handler fails on its chat or room message (`XMPP_ERROR_REPLY`),
   * `{ref}` standing for the reference the error log line carries; `false` for nothing. Default:
   * "Sorry, something went wrong (ref {ref})." (see docs/handlers.md).
   */
  errorReply?: string | false
}

/**
 * A bot as `createBot()` makes it: the core ({@link BotCore}) with the usual features installed.
 *
 * @example
 * ```ts
 * function addGreetings(bot: Bot): void { bot.message({ type: 'chat', body: /^hi$/i }, (msg) => msg.reply('Hello!')) }
 * ```
 */
export type Bot = BotCore &
  DiscoveryFeature &
  PingFeature &
  RosterFeature &
  RoomsFeature &
  FormationFeature &
  ScheduleFeature &
  StoreFeature &
  JobsFeature &
  WebFeature &
  InvitationsFeature &
  PubSubFeature &
  ProfileFeature &
  ContactsFeature &
  CapsFeature &
  AdhocFeature &
  FileUploadFeature

/**
 * Creates a bot with the usual features: service discovery, software version, ping, roster, rooms,
 * contacts' presence (`bot.contacts`),
 * formations (several processes of one bot), per-sender limits on what comes in, work for later
 * (`bot.schedule()` in memory, `bot.jobs` durable), a store (`bot.store`), conversation state (`ctx.state`, with
 * `state: true`), own messages kept from handlers, the web side (`bot.http`, `bot.webhook()`, served on
 * `PORT`), room invitations (`bot.invitation()`), PubSub and PEP (`bot.pubsub`, `bot.pubsubEvent()`), the
 * bot's name and avatar, entity capabilities in its presence, ad-hoc commands (every `bot.command`, and
 * `bot.adhoc()`), and sharing files (`bot.sendFile()`). With no options it reads everything from
 * the environment when started. Install features of your own with `bot.install()`.
 *
 * @example
 * ```ts
 * import { createBot } from 'natter'
 * const bot = createBot()
 * bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
 * bot.run()
 * ```
 */
export function createBot(options: BotOptions = {}): Bot {
  const bot = new BotCore(options)
    .install(discovery({ name: 'natter' }))
    .install(softwareVersion({ name: 'natter', version: VERSION }))
    .install(ping())
    .install(roster())
    .install(ownMessages(options))
    .install(rooms(options))
    // Before formation, which stops what other processes handle: every process knows every contact's presence.
    .install(contacts())
    .install(formation(options))
    // After rooms, whose bookkeeping must see every presence, and formation, which leaves to the other
    // processes what they own: before any middleware of the bot's own.
    .install(limits(options.limits))
    .install(schedule())
    .install(store(options.store))
    // After formation and limits: only the process that handles a message loads its conversation's state.
    .install(state(options))
    .install(jobs())
    .install(web(options.web))
    // After rooms, roster and store, which an accepted invitation uses.
    .install(invitations(options))
    .install(pubsub())
    .install(profile(options))
    .install(caps())
    .install(adhoc())
    .install(fileUpload())
    .install(errorReply(options.errorReply))
  return bot
}

/**
 * Every setting a bot made by {@link createBot} reads, the core's first and then each feature's: the
 * table `natter --help` and docs/configuration.md show, as the bot's own `--help` does.
 *
 * @example
 * ```ts
 * for (const setting of botSettings()) console.log(setting.variable, setting.help)
 * ```
 */
export function botSettings(): readonly Setting<unknown>[] {
  // The features add their rows as they are installed: the table is the one such a bot has.
  return createBot({ env: {}, logLevel: 'silent' }).settingsTable.rows
}
