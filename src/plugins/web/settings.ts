import type { Env } from '../../bot/core-options.js'
import { ConfigError } from '../../errors.js'
import { positiveSetting, settingText } from '../../settings/settings.js'

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
    port: readPort(options.port, env.PORT),
    host: settingText(options.host, env.HTTP_HOST),
    bodyLimit: positiveSetting('HTTP_BODY_LIMIT', options.bodyLimit, env.HTTP_BODY_LIMIT, true) ?? DEFAULT_BODY_LIMIT,
    metricsToken: settingText(options.metricsToken, env.METRICS_TOKEN),
  }
}

function readPort(option: number | undefined, text: string | undefined): number | undefined {
  const given = option === undefined ? settingText(undefined, text) : String(option)
  if (given === undefined) return undefined
  const port = Number(given)
  if (!/^\d+$/.test(given) || port > 65535) throw new ConfigError('PORT', `malformed "${given}"; expected a port number, 0 to 65535`)
  return port
}
