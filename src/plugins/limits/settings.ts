import { ConfigError } from '../../errors.js'
import type { SlotLimits } from '../../pacing/handler-slots.js'
import type { Rate } from '../../pacing/token-buckets.js'
import { positiveSetting, settingText } from '../../settings/settings.js'

/**
 * Per-sender limits on what comes in; each setting overrides its environment variable where it has one.
 *
 * @example
 * ```ts
 * createBot({ limits: { rate: 5, burst: 50, concurrency: 2 } })
 * ```
 */
export interface LimitsOptions {
  /** Stanzas a second one sender may keep sending (`XMPP_SENDER_RATE`). Default 10. */
  rate?: number
  /**
   * Stanzas one sender may send at once, on top of that rate (`XMPP_SENDER_BURST`). Default 500: a
   * person or a script sending a few hundred messages in one go is answered in full.
   */
  burst?: number
  /** Handlers running at once for one sender; its next stanzas wait in line. Default 4. */
  concurrency?: number
  /** Stanzas of one sender waiting for a handler slot; beyond that they are dropped. Default 500, as many as a burst. */
  queue?: number
  /** Handlers running at once over all senders. Default 64. */
  totalConcurrency?: number
  /** Stanzas waiting for a handler slot over all senders. Default 5000. */
  totalQueue?: number
  /** ms between two notices to one sender, and between two log lines about it. Default 60000. */
  noticeInterval?: number
  /** What a sender whose chat messages are dropped is told, once per `noticeInterval`; `false` for nothing. */
  notice?: string | false
}

/** The limits in force, with every default applied. */
export interface LimitSettings {
  /** False with `limits: false` or `XMPP_LIMITS=off`. */
  readonly enabled: boolean
  readonly rate: Rate
  readonly slots: SlotLimits
  readonly noticeInterval: number
  readonly notice: string | undefined
}

/** The notice a sender gets when its messages are dropped. */
export const DEFAULT_NOTICE = 'I am getting more messages from you than I can answer, so I skipped some. Please wait a moment and try again.'

/**
 * Reads the limits from the options and the environment: `XMPP_LIMITS` (`on` or `off`),
 * `XMPP_SENDER_RATE` and `XMPP_SENDER_BURST`. Throws a `ConfigError` naming the setting at fault.
 */
export function readLimitSettings(options: LimitsOptions | false | undefined, env: Readonly<Record<string, string | undefined>>): LimitSettings {
  const switchText = settingText(undefined, env.XMPP_LIMITS)?.toLowerCase()
  if (switchText !== undefined && switchText !== 'on' && switchText !== 'off') {
    throw new ConfigError('XMPP_LIMITS', `unknown value "${switchText}"; use on or off`)
  }
  const given = options === false ? {} : (options ?? {})
  return {
    enabled: options !== false && switchText !== 'off',
    rate: {
      rate: positive('XMPP_SENDER_RATE', given.rate, env.XMPP_SENDER_RATE, 10, false),
      burst: positive('XMPP_SENDER_BURST', given.burst, env.XMPP_SENDER_BURST, 500, true),
    },
    slots: {
      perKey: positive('limits.concurrency', given.concurrency, undefined, 4, true),
      total: positive('limits.totalConcurrency', given.totalConcurrency, undefined, 64, true),
      queuePerKey: count('limits.queue', given.queue, 500),
      queueTotal: count('limits.totalQueue', given.totalQueue, 5_000),
    },
    noticeInterval: positive('limits.noticeInterval', given.noticeInterval, undefined, 60_000, false),
    notice: given.notice === false ? undefined : (given.notice ?? DEFAULT_NOTICE),
  }
}

function positive(name: string, option: number | undefined, text: string | undefined, fallback: number, whole: boolean): number {
  return positiveSetting(name, option, text, whole) ?? fallback
}

/** A whole number, zero allowed. */
function count(name: string, option: number | undefined, fallback: number): number {
  if (option === undefined) return fallback
  if (!Number.isInteger(option) || option < 0) throw new ConfigError(name, `malformed "${option}"; expected a whole number, 0 or more`)
  return option
}
