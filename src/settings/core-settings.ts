import { ConfigError } from '../errors.js'
import { type Jid, parseJid } from '../jid.js'
import { LOG_LEVELS, type LogLevel } from '../log/logger.js'
import { commaList, positiveNumber, positiveWholeNumber, seconds, yesOrNo } from './parsers.js'
import { readSetting, type Setting } from './setting.js'
import { SettingsTable } from './settings-table.js'

/**
 * The core's rows of the settings table, by the option of `SettingOptions` each one stands for, in
 * the order `--help` lists them. Features add their own rows when installed.
 *
 * @example
 * ```ts
 * readSetting(CORE_SETTINGS.pingInterval, process.env) // 60 unless XMPP_PING_INTERVAL says otherwise
 * ```
 */
export const CORE_SETTINGS = {
  jid: {
    variable: 'JID',
    option: 'jid',
    parse: botJid,
    required: "set it to the bot's address, e.g. bot@example.org",
    help: "the bot's address: user@domain or user@domain/resource; a bare domain (svc.example.org) runs the bot as a component (XEP-0114)",
  },
  password: {
    variable: 'JPASSWORD',
    option: 'password',
    parse: (text: string) => text,
    keepSpaces: true,
    required: "set it to the bot's password",
    help: "its password (a component's: the server's shared secret for its domain), taken as it is, spaces included; never logged",
  },
  service: {
    variable: 'XMPP_SERVICE',
    option: 'service',
    parse: service,
    unset: "the JID's domain, found through DNS SRV",
    help: 'where to connect: xmpp://host:port for STARTTLS, xmpps://host:port for direct TLS',
  },
  tlsName: {
    variable: 'XMPP_TLS_NAME',
    option: 'tlsName',
    parse: tlsName,
    unset: "the JID's domain",
    help: "the name the certificate must carry over direct TLS (xmpps://), when it is not the JID's domain",
  },
  resource: {
    variable: 'XMPP_RESOURCE',
    option: 'resource',
    parse: resource,
    unset: '$DYNO plus a boot id when DYNO is set, else chosen by the server',
    help: 'the resource to bind; a resource in JID wins',
  },
  logLevel: {
    variable: 'LOG_LEVEL',
    option: 'logLevel',
    parse: logLevel,
    default: 'info',
    help: `how much the bot logs (${LOG_LEVELS.join(', ')}; -D: debug), in JSON lines, or lines for people on a terminal without CI set`,
  },
  secretNames: {
    variable: 'LOG_SECRET_NAMES',
    option: 'secretNames',
    parse: commaList,
    unset: 'only the built-in ones (password, token, secret, key, auth, ...)',
    help: 'more attribute, element and form field names whose values -D hides, comma-separated, each matched as part of a name',
  },
  pingInterval: {
    variable: 'XMPP_PING_INTERVAL',
    option: 'pingInterval',
    parse: seconds,
    default: '60',
    help: 'seconds of silence on the link before the bot pings its server',
  },
  pingTimeout: {
    variable: 'XMPP_PING_TIMEOUT',
    option: 'pingTimeout',
    parse: seconds,
    default: '10',
    help: 'seconds without any answer to that ping before the link counts as dead',
  },
  shutdownTimeout: {
    variable: 'SHUTDOWN_TIMEOUT',
    option: 'shutdownTimeout',
    parse: seconds,
    default: '20',
    help: 'seconds SIGTERM waits for running handlers',
  },
  allowInsecure: {
    variable: 'XMPP_ALLOW_INSECURE',
    option: 'allowInsecure',
    parse: yesOrNo,
    default: '0',
    help: '1 to log in without TLS to a server not on loopback, where the login and every message can be read and changed on the way',
  },
  channelBinding: {
    variable: 'XMPP_CHANNEL_BINDING',
    option: 'channelBinding',
    parse: yesOrNo,
    default: '1',
    help: '0 to never bind the login to TLS, for a server that offers -PLUS but binds only in a way natter cannot (tls-unique); a relay can then pass the login on',
  },
  maxStanzaSize: {
    variable: 'XMPP_MAX_STANZA_SIZE',
    option: 'maxStanzaSize',
    parse: positiveWholeNumber,
    // What Prosody and ejabberd take by default.
    default: '262144',
    help: 'the largest stanza the bot writes, in bytes; a bigger one is refused, unwritten',
  },
  sendRate: {
    variable: 'XMPP_SEND_RATE',
    option: 'sendRate',
    parse: positiveNumber,
    unset: 'no limit beyond what the server reads and acknowledges',
    help: 'at most this many stanzas a second from the bot, fractions allowed',
  },
  sendBurst: {
    variable: 'XMPP_SEND_BURST',
    option: 'sendBurst',
    parse: positiveWholeNumber,
    unset: "one second's worth",
    help: 'stanzas that may go at once after a pause, under XMPP_SEND_RATE',
  },
} satisfies Record<string, Setting<unknown>>

function botJid(text: string, variable: string): Jid {
  const jid = parseJid(text)
  // A bare domain is a component's address (XEP-0114); a component has no resource of its own.
  if (!jid || (!jid.local && jid.resource)) {
    throw new ConfigError(variable, `malformed "${text}"; expected user@domain, user@domain/resource, or a component's domain`)
  }
  return jid
}

/** `xmpp://host:port` or `xmpps://host:port`, the port made explicit. */
function service(text: string, variable: string): string {
  const match = /^(xmpps?):\/\/(\[[0-9a-fA-F:.]+\]|[^\s/:[\]]+)(?::(\d{1,5}))?\/?$/.exec(text)
  const port = match?.[3] === undefined ? undefined : Number(match[3])
  if (!match || (port !== undefined && (port < 1 || port > 65535))) {
    throw new ConfigError(variable, `malformed "${text}"; expected xmpp://host:port or xmpps://host:port`)
  }
  const defaultPort = match[1] === 'xmpps' ? 5223 : 5222
  return `${match[1]}://${match[2]}:${port ?? defaultPort}`
}

/** A DNS name or IP address, as a certificate names its holder. */
function tlsName(text: string, variable: string): string {
  if (!/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+$|^[0-9a-fA-F:.]+$/.test(text)) {
    throw new ConfigError(variable, `malformed "${text}"; expected a host name such as xmpp.example.org`)
  }
  return text.toLowerCase().replace(/\.$/, '')
}

function resource(text: string, variable: string): string {
  if (/\s/.test(text)) throw new ConfigError(variable, `malformed "${text}"; a resource has no spaces`)
  return text
}

function logLevel(text: string, variable: string): LogLevel {
  const level = text.toLowerCase()
  if (!isLogLevel(level)) throw new ConfigError(variable, `unknown level "${level}"; use one of ${LOG_LEVELS.join(', ')}`)
  return level
}

function isLogLevel(text: string): text is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(text)
}

/**
 * Seconds a shutdown waits for running handlers before the settings are read: `SHUTDOWN_TIMEOUT`'s default.
 *
 * @example
 * ```ts
 * const deadline = (bot.settings?.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT) * 1000
 * ```
 */
export const DEFAULT_SHUTDOWN_TIMEOUT = readSetting(CORE_SETTINGS.shutdownTimeout, {})

/**
 * A new bot's settings table: the core's rows, to which its features add theirs.
 *
 * @example
 * ```ts
 * const table = coreSettingsTable().add(WEATHER_KEY)
 * ```
 */
export function coreSettingsTable(): SettingsTable {
  return new SettingsTable(Object.values(CORE_SETTINGS))
}
