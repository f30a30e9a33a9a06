import { ConfigError } from '../../errors.js'
import type { SlotLimits } from '../../pacing/handler-slots.js'
import type { Rate } from '../../pacing/token-buckets.js'
import { positiveNumber, positiveWholeNumber } from '../../settings/parsers.js'
import { type Env, readSetting, type Setting } from '../../settings/setting.js'

/**
 * Per-sender limits on what comes in; each setting overrides its environment variable where it has
 * one, and has that variable's default.
 *
 * @example
 * ```ts
 * createBot({ limits: { rate: 5, burst: 50, concurrency: 2 } })
 * ```
 */
export interface LimitsOptions {
  /** Stanzas a second one sender may keep sending (`XMPP_SENDER_RATE`). */
  rate?: number
  /**
   * Stanzas one sender may send at once, on top of that rate (`XMPP_SENDER_BURST`). The default is
   * large enough that a person or a script sending a few hundred messages in one go is answered in full.
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
 * The rows limits add to the settings table.
 *
 * @example
 * ```ts
 * readSetting(LIMITS_SETTINGS.rate, process.env) // 10 unless XMPP_SENDER_RATE says otherwise
 * ```
 */
export const LIMITS_SETTINGS = {
  // Not overridden by the option: `XMPP_LIMITS=off` turns off limits given in code too.
  enabled: {
    variable: 'XMPP_LIMITS',
    option: 'limits: false',
    parse: onOrOff,
    default: 'on',
    help: 'on or off: per-sender limits on what comes in',
  },
  rate: {
    variable: 'XMPP_SENDER_RATE',
    option: 'limits.rate',
    parse: positiveNumber,
    default: '10',
    help: 'stanzas a second each sender may keep sending',
  },
  burst: {
    variable: 'XMPP_SENDER_BURST',
    option: 'limits.burst',
    parse: positiveWholeNumber,
    default: '500',
    help: 'stanzas each sender may send at once, on top of that rate',
  },
} satisfies Record<string, Setting<unknown>>

/**
 * Reads the limits from the options and the environment: `XMPP_LIMITS` (`on` or `off`),
 * `XMPP_SENDER_RATE` and `XMPP_SENDER_BURST`. Throws a `ConfigError` naming the setting at fault.
 *
 * @example
 * ```ts
 * readLimitSettings({ burst: 50 }, process.env).rate // { rate: 10, burst: 50 }
 * ```
 */
export function readLimitSettings(options: LimitsOptions | false | undefined, env: Env): LimitSettings {
  const switchedOn = readSetting(LIMITS_SETTINGS.enabled, env)
  const given = options === false ? {} : (options ?? {})
  return {
    enabled: options !== false && switchedOn,
    rate: {
      rate: readSetting(LIMITS_SETTINGS.rate, env, given.rate),
      burst: readSetting(LIMITS_SETTINGS.burst, env, given.burst),
    },
    slots: {
      perKey: positive('limits.concurrency', given.concurrency, 4, true),
      total: positive('limits.totalConcurrency', given.totalConcurrency, 64, true),
      queuePerKey: count('limits.queue', given.queue, 500),
      queueTotal: count('limits.totalQueue', given.totalQueue, 5_000),
    },
    noticeInterval: positive('limits.noticeInterval', given.noticeInterval, 60_000, false),
    notice: given.notice === false ? undefined : (given.notice ?? DEFAULT_NOTICE),
  }
}

function onOrOff(text: string, variable: string): boolean {
  const value = text.toLowerCase()
  if (value !== 'on' && value !== 'off') throw new ConfigError(variable, `unknown value "${value}"; use on or off`)
  return value === 'on'
}

/** A positive number given in code only; `name` is the option's. */
function positive(name: string, option: number | undefined, fallback: number, whole: boolean): number {
  return option === undefined ? fallback : (whole ? positiveWholeNumber : positiveNumber)(String(option), name)
}

/** A whole number, zero allowed. */
function count(name: string, option: number | undefined, fallback: number): number {
  if (option === undefined) return fallback
  if (!Number.isInteger(option) || option < 0) throw new ConfigError(name, `malformed "${option}"; expected a whole number, 0 or more`)
  return option
}
