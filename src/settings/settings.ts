import { randomBytes } from 'node:crypto'
import { ConfigError } from '../errors.js'
import type { Jid } from '../jid.js'
import type { LogLevel } from '../log/logger.js'
import type { Rate } from '../pacing/token-buckets.js'
import { CORE_SETTINGS } from './core-settings.js'
import { listEntries } from './parsers.js'
import { type Env, readSetting } from './setting.js'

/**
 * The settings a bot can be given in code. Each one overrides its environment variable; the defaults
 * are those of the variables, as `--help` and docs/configuration.md list them.
 *
 * @example
 * ```ts
 * const bot = createBot({ jid: 'bot@example.org', password: secret, service: 'xmpp://127.0.0.1:5222' })
 * ```
 */
export interface SettingOptions {
  /**
   * The bot's JID (`JID`): `user@domain` or `user@domain/resource`; a bare domain (`svc.example.org`) runs the
   * bot as an external component (XEP-0114) on the server's component port, `password` being its shared secret.
   */
  jid?: string
  /** The bot's password (`JPASSWORD`). */
  password?: string
  /** Where to connect (`XMPP_SERVICE`): `xmpp://host:port` or `xmpps://host:port`. Unset: the JID's domain, via DNS SRV. */
  service?: string
  /**
   * The name the server's certificate must carry over direct TLS (`XMPP_TLS_NAME`), when a hosting
   * provider's certificate names its own host rather than the JID's domain. Unset: the JID's domain
   * (RFC 7590), wherever the host came from (DNS or `service`). STARTTLS always checks the domain.
   */
  tlsName?: string
  /**
   * The resource to bind (`XMPP_RESOURCE`). A resource in the JID wins. Unset: `DYNO` plus a short
   * boot id when `DYNO` is set (`bot.1.k3f9`: during a restart an old and a new `bot.1` run side by
   * side), else the server picks one.
   */
  resource?: string
  /** Log level (`LOG_LEVEL`); `-D` makes it `debug`. */
  logLevel?: LogLevel
  /**
   * More names whose values the `-D` log hides (`LOG_SECRET_NAMES`), in attributes, elements and data
   * form fields, each matched as part of a name, case aside; built in are password, token, secret,
   * passwd, credential, and key, auth, pin as words of their own.
   */
  secretNames?: readonly string[]
  /** Seconds of silence on the link before the bot pings its server (`XMPP_PING_INTERVAL`). */
  pingInterval?: number
  /** Seconds to wait for any answer to that ping before the link counts as dead (`XMPP_PING_TIMEOUT`). */
  pingTimeout?: number
  /** Seconds a shutdown waits for running handlers (`SHUTDOWN_TIMEOUT`). */
  shutdownTimeout?: number
  /**
   * Log in over a connection without TLS to another machine (`XMPP_ALLOW_INSECURE`), where the login
   * and every message can be read and changed on the way, and PLAIN hands over the password itself.
   * Unset: natter logs in only over TLS, or to a loopback address.
   */
  allowInsecure?: boolean
  /**
   * Bind the login to the TLS connection whenever the server offers a -PLUS mechanism
   * (`XMPP_CHANNEL_BINDING`, default true). false only for a server that offers -PLUS but binds only
   * with a type natter cannot compute (`tls-unique`, as ejabberd 23.01): a relay holding a certificate
   * the bot trusts can then pass the login on.
   */
  channelBinding?: boolean
  /**
   * The largest stanza the bot writes, in bytes (`XMPP_MAX_STANZA_SIZE`); a bigger one is refused
   * with `UndeliveredError('too-big')` and nothing of it is written. A server that advertises a
   * smaller limit (XEP-0478) is believed. The default is what Prosody and ejabberd take by default.
   */
  maxStanzaSize?: number
  /**
   * At most this many stanzas a second from the bot (`XMPP_SEND_RATE`), for a server or a room that
   * wants bots to go slowly; what is sent faster waits its turn, in order. Unset: no limit beyond
   * what the server reads and acknowledges.
   */
  sendRate?: number
  /** How many stanzas may go at once after a pause, under `sendRate` (`XMPP_SEND_BURST`). Unset: one second's worth. */
  sendBurst?: number
}

/** Validated settings, with every default applied. */
export interface Settings {
  readonly jid: Jid
  /** Whether the bot runs as an external component (XEP-0114): its JID is a bare domain. */
  readonly component: boolean
  readonly password: string
  /** `xmpp://host:port`, `xmpps://host:port`, or a bare domain to resolve through DNS SRV. */
  readonly service: string
  /** The name the certificate must carry over direct TLS. */
  readonly tlsName: string
  /** Empty when the server should assign one. */
  readonly resource: string
  readonly logLevel: LogLevel
  /** More names whose values `-D` hides. */
  readonly secretNames: readonly string[]
  /** Seconds of silence before a liveness ping. */
  readonly pingInterval: number
  /** Seconds to wait for the ping's answer. */
  readonly pingTimeout: number
  /** Seconds a shutdown waits for running handlers. */
  readonly shutdownTimeout: number
  /** Whether logging in without TLS to another machine is allowed. */
  readonly allowInsecure: boolean
  /** Whether a -PLUS mechanism is used when offered. */
  readonly channelBinding: boolean
  /** The largest stanza written, in bytes. */
  readonly maxStanzaSize: number
  /** How fast stanzas may go out; undefined for no limit. */
  readonly sendRate: Rate | undefined
}

/** Tells this process from an earlier or later one with the same `DYNO`; short, to keep the resource readable. */
const BOOT_ID = randomBytes(3).toString('base64url').slice(0, 4).toLowerCase()

/**
 * Reads and validates the settings from options and the environment, before anything connects, row
 * by row of the core's settings table. Throws a `ConfigError` naming the first variable at fault.
 *
 * @example
 * ```ts
 * const settings = loadSettings(process.env, { logLevel: 'debug' })
 * ```
 */
export function loadSettings(env: Env, options: SettingOptions = {}): Settings {
  const row = CORE_SETTINGS
  const jid = readSetting(row.jid, env, options.jid)
  const password = readSetting(row.password, env, options.password)
  const component = jid.local === ''
  const service = readSetting(row.service, env, options.service) ?? (component ? undefined : jid.domain)
  // A component has no DNS SRV record of its own to find: it is given the server's component port.
  if (service === undefined)
    throw new ConfigError(
      row.service.variable,
      "a component (JID without a local part) connects to the server's component port: set it, e.g. xmpp://127.0.0.1:5347",
    )
  if (component && !service.startsWith('xmpp://'))
    throw new ConfigError(row.service.variable, `"${service}": a component connects over xmpp://host:port (the server's component port)`)
  const tlsName = readSetting(row.tlsName, env, options.tlsName) ?? jid.domain
  const resourceSetting = readSetting(row.resource, env, options.resource)
  // The platform's name for the process, not a setting: it only makes the default resource.
  const dyno = env.DYNO?.trim() || undefined
  const resource = jid.resource || resourceSetting || (dyno === undefined ? '' : `${dyno}.${BOOT_ID}`)
  const logLevel = readSetting(row.logLevel, env, options.logLevel)
  const secretNames = options.secretNames ? listEntries(options.secretNames) : (readSetting(row.secretNames, env) ?? [])
  const pingInterval = readSetting(row.pingInterval, env, options.pingInterval)
  const pingTimeout = readSetting(row.pingTimeout, env, options.pingTimeout)
  const shutdownTimeout = readSetting(row.shutdownTimeout, env, options.shutdownTimeout)
  const allowInsecure = readSetting(row.allowInsecure, env, options.allowInsecure)
  const channelBinding = readSetting(row.channelBinding, env, options.channelBinding)
  const maxStanzaSize = readSetting(row.maxStanzaSize, env, options.maxStanzaSize)
  const rate = readSetting(row.sendRate, env, options.sendRate)
  const burst = readSetting(row.sendBurst, env, options.sendBurst) ?? Math.ceil(rate ?? 1)
  const sendRate = rate === undefined ? undefined : { rate, burst }
  return {
    jid,
    component,
    password,
    service,
    tlsName,
    resource,
    logLevel,
    secretNames,
    pingInterval,
    pingTimeout,
    shutdownTimeout,
    allowInsecure,
    channelBinding,
    maxStanzaSize,
    sendRate,
  }
}
