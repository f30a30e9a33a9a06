import { randomBytes } from 'node:crypto'
import { ConfigError } from '../errors.js'
import { type Jid, parseJid } from '../jid.js'
import { LOG_LEVELS, type LogLevel } from '../log/logger.js'
import type { Rate } from '../pacing/token-buckets.js'

/**
 * The settings a bot can be given in code. Each one overrides its environment variable.
 *
 * @example
 * ```ts
 * const bot = createBot({ jid: 'bot@example.org', password: secret, service: 'xmpp://127.0.0.1:5222' })
 * ```
 */
export interface SettingOptions {
  /** The bot's JID (`JID`): `user@domain` or `user@domain/resource`. */
  jid?: string
  /** The bot's password (`JPASSWORD`). */
  password?: string
  /** Where to connect (`XMPP_SERVICE`): `xmpp://host:port` or `xmpps://host:port`. Default: the JID's domain, via DNS SRV. */
  service?: string
  /**
   * The resource to bind (`XMPP_RESOURCE`). A resource in the JID wins. Default: `DYNO` plus a short
   * boot id when `DYNO` is set (`bot.1.k3f9`: during a restart an old and a new `bot.1` run side by
   * side), else the server picks one.
   */
  resource?: string
  /** Log level (`LOG_LEVEL`). Default `info`, or `debug` with `-D`. */
  logLevel?: LogLevel
  /** Seconds of silence on the link before the bot pings its server (`XMPP_PING_INTERVAL`). Default 60. */
  pingInterval?: number
  /** Seconds to wait for any answer to that ping before the link counts as dead (`XMPP_PING_TIMEOUT`). Default 10. */
  pingTimeout?: number
  /** Seconds a shutdown waits for running handlers (`SHUTDOWN_TIMEOUT`). Default 20. */
  shutdownTimeout?: number
  /**
   * Log in over a connection without TLS to another machine (`XMPP_ALLOW_INSECURE`), where the login
   * and every message can be read and changed on the way, and PLAIN hands over the password itself.
   * Default false: natter then logs in only over TLS, or to a loopback address.
   */
  allowInsecure?: boolean
  /**
   * The largest stanza the bot writes, in bytes (`XMPP_MAX_STANZA_SIZE`); a bigger one is refused
   * with `UndeliveredError('too-big')` and nothing of it is written. A server that advertises a
   * smaller limit (XEP-0478) is believed. Default 262144, what Prosody and ejabberd take by default.
   */
  maxStanzaSize?: number
  /**
   * At most this many stanzas a second from the bot (`XMPP_SEND_RATE`), for a server or a room that
   * wants bots to go slowly; what is sent faster waits its turn, in order. Default: no limit beyond
   * what the server reads and acknowledges.
   */
  sendRate?: number
  /** How many stanzas may go at once after a pause, under `sendRate` (`XMPP_SEND_BURST`). Default: one second's worth. */
  sendBurst?: number
}

/** Validated settings, with every default applied. */
export interface Settings {
  readonly jid: Jid
  readonly password: string
  /** `xmpp://host:port`, `xmpps://host:port`, or a bare domain to resolve through DNS SRV. */
  readonly service: string
  /** Empty when the server should assign one. */
  readonly resource: string
  readonly logLevel: LogLevel
  /** Seconds of silence before a liveness ping. */
  readonly pingInterval: number
  /** Seconds to wait for the ping's answer. */
  readonly pingTimeout: number
  /** Seconds a shutdown waits for running handlers. */
  readonly shutdownTimeout: number
  /** Whether logging in without TLS to another machine is allowed. */
  readonly allowInsecure: boolean
  /** The largest stanza written, in bytes. */
  readonly maxStanzaSize: number
  /** How fast stanzas may go out; undefined for no limit. */
  readonly sendRate: Rate | undefined
}

type Env = Readonly<Record<string, string | undefined>>

/** Tells this process from an earlier or later one with the same `DYNO`; short, to keep the resource readable. */
const BOOT_ID = randomBytes(3).toString('base64url').slice(0, 4).toLowerCase()

/**
 * Reads and validates the settings from options and the environment, before anything connects.
 * Throws a {@link ConfigError} naming the first variable at fault.
 *
 * @example
 * ```ts
 * const settings = loadSettings(process.env, { logLevel: 'debug' })
 * ```
 */
export function loadSettings(env: Env, options: SettingOptions = {}): Settings {
  const jidText = settingText(options.jid, env.JID)
  if (jidText === undefined) throw new ConfigError('JID', "missing; set it to the bot's address, e.g. bot@example.org")
  const jid = parseJid(jidText)
  if (!jid?.local) {
    throw new ConfigError('JID', `malformed "${jidText}"; expected user@domain or user@domain/resource`)
  }

  const password = options.password ?? env.JPASSWORD
  if (password === undefined || password === '') throw new ConfigError('JPASSWORD', "missing; set it to the bot's password")

  const serviceText = settingText(options.service, env.XMPP_SERVICE)
  const service = serviceText === undefined ? jid.domain : parseService(serviceText)

  const resourceText = settingText(options.resource, env.XMPP_RESOURCE)
  if (resourceText !== undefined && /\s/.test(resourceText)) {
    throw new ConfigError('XMPP_RESOURCE', `malformed "${resourceText}"; a resource has no spaces`)
  }
  const dyno = settingText(undefined, env.DYNO)
  const resource = jid.resource || resourceText || (dyno === undefined ? '' : `${dyno}.${BOOT_ID}`)

  const levelText = settingText(options.logLevel, env.LOG_LEVEL)?.toLowerCase()
  if (levelText !== undefined && !isLogLevel(levelText)) {
    throw new ConfigError('LOG_LEVEL', `unknown level "${levelText}"; use one of ${LOG_LEVELS.join(', ')}`)
  }

  const pingInterval = parseSeconds('XMPP_PING_INTERVAL', options.pingInterval, env.XMPP_PING_INTERVAL, 60)
  const pingTimeout = parseSeconds('XMPP_PING_TIMEOUT', options.pingTimeout, env.XMPP_PING_TIMEOUT, 10)
  const shutdownTimeout = parseSeconds('SHUTDOWN_TIMEOUT', options.shutdownTimeout, env.SHUTDOWN_TIMEOUT, 20)

  const allowInsecure = parseFlag('XMPP_ALLOW_INSECURE', options.allowInsecure, env.XMPP_ALLOW_INSECURE)

  const maxStanzaSize = positiveSetting('XMPP_MAX_STANZA_SIZE', options.maxStanzaSize, env.XMPP_MAX_STANZA_SIZE, true) ?? 262_144
  const rate = positiveSetting('XMPP_SEND_RATE', options.sendRate, env.XMPP_SEND_RATE, false)
  const burst = positiveSetting('XMPP_SEND_BURST', options.sendBurst, env.XMPP_SEND_BURST, true) ?? Math.ceil(rate ?? 1)
  const sendRate = rate === undefined ? undefined : { rate, burst }

  return {
    jid,
    password,
    service,
    resource,
    logLevel: levelText ?? 'info',
    pingInterval,
    pingTimeout,
    shutdownTimeout,
    allowInsecure,
    maxStanzaSize,
    sendRate,
  }
}

/**
 * A setting's text: the option wins over the environment variable, and blank values count as unset.
 *
 * @example
 * ```ts
 * settingText(options.rooms?.join(','), env.XMPP_ROOMS)
 * ```
 */
export function settingText(option: string | undefined, variable: string | undefined): string | undefined {
  const value = (option ?? variable)?.trim()
  return value === '' ? undefined : value
}

function parseService(text: string): string {
  const match = /^(xmpps?):\/\/(\[[0-9a-fA-F:.]+\]|[^\s/:[\]]+)(?::(\d{1,5}))?\/?$/.exec(text)
  const port = match?.[3] === undefined ? undefined : Number(match[3])
  if (!match || (port !== undefined && (port < 1 || port > 65535))) {
    throw new ConfigError('XMPP_SERVICE', `malformed "${text}"; expected xmpp://host:port or xmpps://host:port`)
  }
  const defaultPort = match[1] === 'xmpps' ? 5223 : 5222
  return `${match[1]}://${match[2]}:${port ?? defaultPort}`
}

/** A duration in seconds, from an option or a variable: a positive number, fractions allowed. */
function parseSeconds(variable: string, option: number | undefined, text: string | undefined, fallback: number): number {
  const given = option === undefined ? settingText(undefined, text) : String(option)
  if (given === undefined) return fallback
  const seconds = Number(given)
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new ConfigError(variable, `malformed "${given}"; expected a positive number of seconds`)
  }
  return seconds
}

/**
 * A positive number (a whole one when `whole`) from an option or a variable; undefined when neither is set.
 *
 * @example
 * ```ts
 * const rate = positiveSetting('XMPP_SENDER_RATE', options.rate, env.XMPP_SENDER_RATE, false) ?? 10
 * ```
 */
export function positiveSetting(name: string, option: number | undefined, text: string | undefined, whole: boolean): number | undefined {
  const given = option === undefined ? settingText(undefined, text) : String(option)
  if (given === undefined) return undefined
  const value = Number(given)
  if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
    throw new ConfigError(name, `malformed "${given}"; expected a positive ${whole ? 'whole ' : ''}number`)
  }
  return value
}

/** A yes/no setting, default no; anything but the usual spellings is an error, so that a typo never turns it on or off unseen. */
function parseFlag(variable: string, option: boolean | undefined, text: string | undefined): boolean {
  if (option !== undefined) return option
  const given = settingText(undefined, text)
  const value = given?.toLowerCase()
  if (value === undefined || ['0', 'false', 'no', 'off'].includes(value)) return false
  if (['1', 'true', 'yes', 'on'].includes(value)) return true
  throw new ConfigError(variable, `malformed "${given}"; expected 1 or 0`)
}

function isLogLevel(text: string): text is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(text)
}
