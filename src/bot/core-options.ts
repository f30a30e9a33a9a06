import type { ComposerOptions } from '../dispatch/composer.js'
import type { Env } from '../settings/setting.js'
import type { SettingOptions } from '../settings/settings.js'
import type { OutboxOptions } from '../wire/outbox.js'
import type { ReconnectOptions } from '../wire/session.js'

export type { Env }

/**
 * What the core of a bot can be given in code; each setting overrides its environment variable.
 *
 * @example
 * ```ts
 * createBot({ jid: 'bot@example.org', password: process.env.SECRET, reconnect: { maxDelay: 30_000 } })
 * ```
 */
export interface CoreOptions extends SettingOptions, ComposerOptions {
  /** Reconnect policy: backoff, connect timeout, when to give up. */
  reconnect?: ReconnectOptions
  /** How many stanzas, for how long, `send()` keeps while the bot is offline. */
  outbox?: OutboxOptions
  /** Read settings from this instead of `process.env`. */
  env?: Env
  /** Write logs here instead of stdout. */
  logDestination?: NodeJS.WritableStream
  /**
   * Whether the bot announces itself available once online (default true). Without it the server
   * never routes chats for the bare JID to this session: what a one-off job beside the bot wants.
   */
  presence?: boolean
}
