import type { HttpRequest } from './http-request.js'
import type { SignatureCheck } from './signature.js'

/**
 * What a handler returns, and how it is answered: a `Response` as it is; a string as `200 text/plain`;
 * any other value as `200` JSON; nothing as `202 Accepted` when it sent messages, else `204`.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing is typed `void`.
export type HttpResult = Response | string | object | undefined | void

/**
 * A route's handler.
 *
 * @example
 * ```ts
 * const handler: HttpHandler = (req) => ({ received: req.json })
 * ```
 */
export type HttpHandler = (request: HttpRequest) => HttpResult | Promise<HttpResult>

/**
 * What a route takes.
 *
 * @example
 * ```ts
 * bot.http.post('/hooks/form', { accept: ['application/x-www-form-urlencoded'] }, (req) => req.say('ops@example.org', req.text))
 * ```
 */
export interface RouteOptions {
  /** Content types the route takes; others get 415. Default `application/json` (and `+json` types). */
  accept?: readonly string[]
  /** The largest body it takes, in bytes; larger get 413. Default `HTTP_BODY_LIMIT` (1 MiB). */
  bodyLimit?: number
}

/** @internal A registered route. */
export interface Route {
  readonly method: 'GET' | 'POST'
  readonly path: string
  readonly handler: HttpHandler
  readonly accept: readonly string[]
  readonly bodyLimit: number | undefined
  /** Resolved at start, once the environment is read; webhooks only. */
  signature: SignatureCheck | undefined
}
