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
  /**
   * Stanzas a second a stranger (neither a roster contact nor an admin) may keep sending
   * (`XMPP_STRANGER_RATE`): low enough that two bots answering each other settle fast.
   */
  strangerRate?: number
  /** Stanzas a stranger may send at once, on top of that rate (`XMPP_STRANGER_BURST`). */
  strangerBurst?: number
  /** Handlers running at once for one sender; its next stanzas wait in line. Default 4. */
  concurrency?: number
  /** Stanzas of one sender waiting for a handler slot; beyond that they are dropped. Default 500, as many as a burst. */
  queue?: number
  /** Handlers running at once over all senders. Default 64. */
  totalConcurrency?: number
  /** Stanzas waiting for a handler slot over all senders. Default 5000. */
  totalQueue?: number
  /** Of `totalConcurrency`, and the same share of the line, what only roster contacts and admins may take. Default 16. */
  reserved?: number
  /** Bytes of one sender's stanzas waiting for a handler slot. Default 1 MiB. */
  queueBytes?: number
  /** Bytes of the stanzas waiting for a handler slot over all senders. Default 16 MiB. */
  totalQueueBytes?: number
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
  /** The rate of a sender neither in the roster nor an admin. */
  readonly strangerRate: Rate
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
  strangerRate: {
    variable: 'XMPP_STRANGER_RATE',
    option: 'limits.strangerRate',
    parse: positiveNumber,
    default: '4',
    help: 'stanzas a second a sender neither in the roster nor an admin may keep sending',
  },
  strangerBurst: {
    variable: 'XMPP_STRANGER_BURST',
    option: 'limits.strangerBurst',
    parse: positiveWholeNumber,
    default: '100',
    help: 'stanzas such a stranger may send at once, on top of that rate',
  },
} satisfies Record<string, Setting<unknown>>

/**
 * Reads the limits from the options and the environment: `XMPP_LIMITS` (`on` or `off`),
 * `XMPP_SENDER_RATE`, `XMPP_SENDER_BURST`, `XMPP_STRANGER_RATE` and `XMPP_STRANGER_BURST`. Throws a `ConfigError` naming the setting at fault.
 *
 * @example
 * ```ts
 * readLimitSettings({ burst: 50 }, process.env).rate // { rate: 10, burst: 50 }
 * ```
 */
export function readLimitSettings(options: LimitsOptions | false | undefined, env: Env): LimitSettings {
  const switchedOn = readSetting(LIMITS_SETTINGS.enabled, env)
  const given = options === false ? {} : (options ?? {})
  const total = positive('limits.totalConcurrency', given.totalConcurrency, 64, true)
  // Strangers keep at least one slot: a bot with no contacts still answers.
  if (given.reserved !== undefined && given.reserved >= total)
    throw new ConfigError('limits.reserved', `${given.reserved} leaves strangers no slot; keep it below totalConcurrency (${total})`)
  return {
    enabled: options !== false && switchedOn,
    rate: {
      rate: readSetting(LIMITS_SETTINGS.rate, env, given.rate),
      burst: readSetting(LIMITS_SETTINGS.burst, env, given.burst),
    },
    strangerRate: {
      rate: readSetting(LIMITS_SETTINGS.strangerRate, env, given.strangerRate),
      burst: readSetting(LIMITS_SETTINGS.strangerBurst, env, given.strangerBurst),
    },
    slots: {
      perKey: positive('limits.concurrency', given.concurrency, 4, true),
      total,
      reserved: count('limits.reserved', given.reserved, Math.min(16, total - 1)),
      queuePerKey: count('limits.queue', given.queue, 500),
      queueTotal: count('limits.totalQueue', given.totalQueue, 5_000),
      queueBytesPerKey: count('limits.queueBytes', given.queueBytes, 2 ** 20),
      queueBytesTotal: count('limits.totalQueueBytes', given.totalQueueBytes, 16 * 2 ** 20),
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
