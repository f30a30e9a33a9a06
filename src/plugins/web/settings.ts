import { ConfigError } from '../../errors.js'
import { positiveWholeNumber } from '../../settings/parsers.js'
import { type Env, readSetting, type Setting } from '../../settings/setting.js'

/** The body limit when neither `bodyLimit` nor `HTTP_BODY_LIMIT` says otherwise: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024

/**
 * The web side's settings in code; each overrides its environment variable.
 *
 * @example
 * ```ts
 * createBot({ web: { port: 8080, metricsToken: process.env.SCRAPE_TOKEN } })
 * ```
 */
export interface WebOptions {
  /** The port to serve HTTP on (`PORT`, as Heroku, Dokku and `heroku local` set it). Without one the bot serves no HTTP. 0: any free port. */
  port?: number
  /** The address to listen on (`HTTP_HOST`). Default: every interface, as a platform's router needs. */
  host?: string
  /** The largest request body a route takes, in bytes, unless the route says otherwise (`HTTP_BODY_LIMIT`). Default 1 MiB. */
  bodyLimit?: number
  /** A bearer token `/metrics` asks for (`METRICS_TOKEN`). Default none: `/metrics` is open. */
  metricsToken?: string
}

/** The web side's settings in force. */
export interface WebSettings {
  /** Undefined: no HTTP at all. */
  readonly port: number | undefined
  readonly host: string | undefined
  readonly bodyLimit: number
  readonly metricsToken: string | undefined
}

/**
 * The rows the web side adds to the settings table.
 *
 * @example
 * ```ts
 * readSetting(WEB_SETTINGS.port, { PORT: '5000' }) // 5000
 * ```
 */
export const WEB_SETTINGS = {
  port: {
    variable: 'PORT',
    option: 'web.port',
    parse: port,
    unset: 'no HTTP',
    help: 'port to serve HTTP on, as Heroku, Dokku and heroku local set it for a web process; 0: any free port',
  },
  host: {
    variable: 'HTTP_HOST',
    option: 'web.host',
    parse: (text: string) => text,
    unset: 'every interface',
    help: 'address the HTTP server listens on',
  },
  bodyLimit: {
    variable: 'HTTP_BODY_LIMIT',
    option: 'web.bodyLimit',
    parse: positiveWholeNumber,
    default: String(DEFAULT_BODY_LIMIT),
    help: 'largest request body a route takes, in bytes, unless the route says otherwise',
  },
  metricsToken: {
    variable: 'METRICS_TOKEN',
    option: 'web.metricsToken',
    parse: (text: string) => text,
    unset: '/metrics is open',
    help: 'bearer token that /metrics asks for; never logged',
  },
} satisfies Record<string, Setting<unknown>>

/**
 * Reads the web side's settings from the options and the environment: `PORT`, `HTTP_HOST`,
 * `HTTP_BODY_LIMIT` and `METRICS_TOKEN`. Throws a `ConfigError` naming the setting at fault.
 *
 * @example
 * ```ts
 * readWebSettings({}, { PORT: '5000' }).port // 5000
 * ```
 */
export function readWebSettings(options: WebOptions, env: Env): WebSettings {
  return {
    port: readSetting(WEB_SETTINGS.port, env, options.port),
    host: readSetting(WEB_SETTINGS.host, env, options.host),
    bodyLimit: readSetting(WEB_SETTINGS.bodyLimit, env, options.bodyLimit),
    metricsToken: readSetting(WEB_SETTINGS.metricsToken, env, options.metricsToken),
  }
}

function port(text: string, variable: string): number {
  const value = Number(text)
  if (!/^\d+$/.test(text) || value > 65535) throw new ConfigError(variable, `malformed "${text}"; expected a port number, 0 to 65535`)
  return value
}
