import { setImmediate as nextTurn } from 'node:timers/promises'
import type { BotCore } from '../../bot/bot-core.js'
import type { Env } from '../../bot/core-options.js'
import { ConfigError, UndeliveredError } from '../../errors.js'
import type { FormationFeature } from '../formation/formation.js'
import { isJson, mediaType, parseJson, readBody, takes } from './body.js'
import { IncomingRequest } from './http-request.js'
import { BotMetrics } from './metrics.js'
import { Refusal } from './refusal.js'
import type { HttpHandler, HttpResult, Route, RouteOptions } from './route.js'
import { buildApp, type Endpoint, HttpServer } from './server.js'
import { readWebSettings, WEB_SETTINGS, type WebOptions, type WebSettings } from './settings.js'
import { SeenSignatures, type SignatureCheck, type SignatureScheme, signatureMissing, verifySignature } from './signature.js'

/** Seconds a client is asked to wait before trying again while the bot stops: about a restart. */
const RETRY_AFTER_S = 5
/** How long the server waits, at the end of a shutdown, for connections still open (their requests were waited for already). */
const CLOSE_MS = 1_000
/** The replay window of `timestamped` webhooks, in seconds, unless the route says otherwise. */
const REPLAY_WINDOW_S = 300
/** Paths the web side serves itself. */
const BUILT_IN = new Set(['/healthz', '/metrics'])

/**
 * A webhook: a route that takes only requests signed with a secret the sender shares.
 *
 * @example
 * ```ts
 * bot.webhook('/hooks/github', { secret: { env: 'GITHUB_WEBHOOK_SECRET' } }, (hook) => hook.say(room, 'pushed', 'groupchat'))
 * ```
 */
export interface WebhookOptions extends RouteOptions {
  /** The shared secret, or the environment variable holding it, read when the web side starts (after `.env`). */
  secret: string | { env: string }
  /** How requests are signed (see {@link SignatureScheme}). Default `github`. */
  signature?: SignatureScheme
  /** For `token`: the header holding the secret. Default `authorization`, as `Bearer <secret>`. */
  header?: string
  /** For `timestamped`: seconds a request's timestamp may be off. Default 300. */
  replayWindow?: number
}

/** The bot the web side serves: the core, and its formation for `/healthz`. */
type WebBot = BotCore & FormationFeature

/**
 * The bot's HTTP side: routes, webhooks, `/healthz` and `/metrics`, served on `PORT` when the process
 * has one (a `web:` process), bound at start before the XMPP login. Without `PORT` nothing is loaded
 * nor bound; `fetch()` still answers in memory, for tests.
 *
 * @example
 * ```ts
 * bot.http.post('/hooks/ci', (req) => req.say('ops@example.org', `CI: ${(req.json as { status: string }).status}`))
 * ```
 */
export class Http {
  readonly #bot: WebBot
  readonly #options: WebOptions
  readonly #routes: Route[] = []
  readonly #webhookSecrets = new Map<Route, WebhookOptions>()
  readonly #seen = new SeenSignatures()
  #settings: WebSettings | undefined
  /** The environment the bot started with: webhook secrets are read from it. */
  #env: Env = {}
  #app: Promise<(request: Request) => Promise<Response>> | undefined
  #metrics: BotMetrics | undefined
  #server: HttpServer | undefined
  #stopping = false
  /** What answered requests sent and the outbox still holds: a shutdown waits for it, within its deadline. */
  readonly #unsent = new Set<Promise<unknown>>()

  /** @internal Created by the {@link web} feature. */
  constructor(bot: WebBot, options: WebOptions) {
    this.#bot = bot
    this.#options = options
    bot.onStart((env) => this.#start(env))
    bot.onStopping(() => {
      this.#stopping = true
    })
    // Requests in flight were waited for with the running handlers; what they sent may still wait for the link.
    bot.onShutdown(() => Promise.all([this.#server?.close(CLOSE_MS), Promise.allSettled(this.#unsent)]))
  }

  /**
   * The URL the server listens on, once bound; undefined without `PORT`.
   *
   * @example
   * ```ts
   * bot.on('ready', () => bot.log.info({ url: bot.http.url }, 'serving'))
   * ```
   */
  get url(): string | undefined {
    return this.#server && `http://localhost:${this.#server.port}`
  }

  /**
   * Answers GET requests on `path` (`/items/:id` gives `req.params.id`).
   *
   * @example
   * ```ts
   * bot.http.get('/status', () => ({ online: bot.online }))
   * ```
   */
  get(path: string, handler: HttpHandler): this {
    return this.#add('GET', path, {}, handler, undefined)
  }

  /**
   * Answers POST requests on `path`, whose bodies are read and checked first (see {@link RouteOptions}).
   * The route is open to anyone who can reach it: for a sender that can sign, use `bot.webhook()`.
   *
   * @example
   * ```ts
   * bot.http.post('/hooks/ci', (req) => req.say('ops@example.org', 'build done'))
   * bot.http.post('/hooks/form', { accept: ['application/x-www-form-urlencoded'] }, (req) => req.say('ops@example.org', req.text))
   * ```
   */
  post(path: string, handler: HttpHandler): this
  post(path: string, options: RouteOptions, handler: HttpHandler): this
  post(path: string, second: HttpHandler | RouteOptions, third?: HttpHandler): this {
    const [options, handler] = typeof second === 'function' ? [{}, second] : [second, third as HttpHandler]
    return this.#add('POST', path, options, handler, undefined)
  }

  /**
   * Answers signed POST requests on `path`: others get 401 before their body is parsed.
   *
   * @example
   * ```ts
   * bot.http.webhook('/notify', { secret: { env: 'WEBHOOK_SECRET' } }, (hook) => hook.say('ops@example.org', hook.text))
   * ```
   */
  webhook(path: string, options: WebhookOptions, handler: HttpHandler): this {
    return this.#add('POST', path, options, handler, options)
  }

  /**
   * Answers a request in memory, as the server would: for tests (`natter/testing`), and for embedding
   * the routes in a server of your own.
   *
   * @example
   * ```ts
   * const response = await bot.http.fetch(new Request('http://bot/healthz'))
   * ```
   */
  async fetch(request: Request): Promise<Response> {
    const app = await this.#loadApp()
    return app(request)
  }

  #add(method: Route['method'], path: string, options: RouteOptions, handler: HttpHandler, webhook: WebhookOptions | undefined): this {
    if (this.#app) throw new Error('routes are registered before the bot starts')
    if (BUILT_IN.has(path)) throw new Error(`${path} is served by natter itself`)
    if (this.#routes.some((r) => r.method === method && r.path === path)) throw new Error(`${method} ${path} has a route already`)
    const route: Route = {
      method,
      path,
      handler,
      accept: (options.accept ?? ['application/json']).map((type) => type.toLowerCase()),
      bodyLimit: options.bodyLimit,
      signature: undefined,
    }
    this.#routes.push(route)
    if (webhook) this.#webhookSecrets.set(route, webhook)
    return this
  }

  #start(env: Env): Promise<void> | undefined {
    this.#env = env
    this.#settings = readWebSettings(this.#options, env)
    const { port, host } = this.#settings
    if (port === undefined) return undefined
    return this.#listen(port, host)
  }

  async #listen(port: number, host: string | undefined): Promise<void> {
    const app = await this.#loadApp()
    this.#server = await HttpServer.listen(app, port, host)
    this.#bot.log.info({ url: this.url, routes: this.#routes.map((r) => `${r.method} ${r.path}`) }, 'http: listening')
  }

  /** Builds the app on first need: the routes' secrets read, the HTTP library and the metrics loaded. */
  #loadApp(): Promise<(request: Request) => Promise<Response>> {
    const bot = this.#bot
    this.#app ??= (async () => {
      for (const [route, options] of this.#webhookSecrets) route.signature = signatureCheck(route.path, options, this.#env)
      this.#metrics = await BotMetrics.create({
        on: (event, listener) => this.#bot.on(event, listener),
        get online() {
          return bot.online
        },
        get queues() {
          return bot.queues
        },
        formationMembers: () => bot.formation.members().length,
      })
      const endpoints: Endpoint[] = [
        { method: 'GET', path: '/healthz', answer: () => this.#count('/healthz', this.#health()) },
        { method: 'GET', path: '/metrics', answer: (request) => this.#count('/metrics', this.#scrape(request)) },
        ...this.#routes.map((route) => ({
          method: route.method,
          path: route.path,
          answer: (request: Request, params: Readonly<Record<string, string>>) => this.#count(route.path, this.#answer(route, request, params)),
        })),
      ]
      return buildApp(endpoints, (request) => {
        this.#bot.log.debug({ method: request.method, path: new URL(request.url).pathname }, 'http: no such route')
        this.#metrics?.request('none', 404)
        return Response.json({ error: 'not found' }, { status: 404 })
      })
    })()
    return this.#app
  }

  async #count(route: string, answering: Promise<Response> | Response): Promise<Response> {
    const response = await answering
    this.#metrics?.request(route, response.status)
    return response
  }

  /** Takes a request on a route, or refuses it with its status, logged once with the reason. */
  async #answer(route: Route, request: Request, params: Readonly<Record<string, string>>): Promise<Response> {
    try {
      if (this.#stopping) throw new Refusal(503, 'the bot is stopping', { 'retry-after': String(RETRY_AFTER_S), connection: 'close' })
      return await this.#bot.track(this.#take(route, request, params))
    } catch (error) {
      const path = new URL(request.url).pathname
      if (error instanceof Refusal) {
        this.#bot.log.warn({ method: request.method, path, status: error.status, reason: error.reason }, 'http: request refused')
        return error.response()
      }
      this.#bot.log.error({ err: error, method: request.method, path }, 'http: handler failed')
      return Response.json({ error: 'internal error' }, { status: 500 })
    }
  }

  /** Checks a request in the order that costs a stranger least: size, type and signature before the body is read, JSON last. */
  async #take(route: Route, request: Request, params: Readonly<Record<string, string>>): Promise<Response> {
    const limit = route.bodyLimit ?? this.#settings?.bodyLimit ?? readWebSettings(this.#options, {}).bodyLimit
    const type = mediaType(request.headers.get('content-type'))
    const post = route.method === 'POST'
    if (post && Number(request.headers.get('content-length')) > limit) throw new Refusal(413, `body over ${limit} bytes`)
    if (post && !takes(route.accept, type)) throw new Refusal(415, type === '' ? 'no content type' : `content type ${type} not taken`)
    const check = route.signature
    const missing = check && signatureMissing(check, request.headers)
    if (missing) throw new Refusal(401, missing)
    const body = post ? await readBody(request, limit) : Buffer.alloc(0)
    const wrong = check && verifySignature(check, request.headers, body, Date.now(), this.#seen)
    if (wrong) throw new Refusal(401, wrong)
    const json = post && isJson(type) ? parseJson(body) : undefined
    const incoming = new IncomingRequest(request, params, body, json, this.#bot.log.child({ route: route.path }), this.#bot)
    const result = await route.handler(incoming)
    const refused = await refusedAtOnce(incoming.sends)
    if (refused) throw new Refusal(503, `messages not taken: ${refused}`, { 'retry-after': String(RETRY_AFTER_S) })
    if (incoming.sends.length > 0) {
      const unsent = Promise.allSettled(incoming.sends)
      this.#unsent.add(unsent)
      void unsent.then(() => this.#unsent.delete(unsent))
    }
    return toResponse(result, incoming.sends.length > 0)
  }

  #health(): Response {
    const online = this.#bot.online
    const formation = this.#bot.formation
    const members = formation.members()
    const member = !formation.enabled || members.includes(this.#bot.jid)
    const healthy = online && member && !this.#stopping
    return Response.json(
      { status: healthy ? 'ok' : 'unavailable', online, member, members: members.length, stopping: this.#stopping },
      { status: healthy ? 200 : 503, headers: { 'cache-control': 'no-store' } },
    )
  }

  async #scrape(request: Request): Promise<Response> {
    const token = this.#settings?.metricsToken
    const check: SignatureCheck | undefined = token === undefined ? undefined : { scheme: 'token', secret: token, header: 'authorization', replayWindow: 0 }
    if (check && (signatureMissing(check, request.headers) || verifySignature(check, request.headers, Buffer.alloc(0), Date.now(), this.#seen))) {
      this.#bot.log.warn({ path: '/metrics', status: 401, reason: 'no or wrong bearer token' }, 'http: request refused')
      return Response.json({ error: 'bearer token required' }, { status: 401, headers: { 'www-authenticate': 'Bearer' } })
    }
    const metrics = this.#metrics as BotMetrics
    return new Response(await metrics.text(), { headers: { 'content-type': metrics.contentType } })
  }
}

/** The check a webhook's requests go through, with its secret read now. */
function signatureCheck(path: string, options: WebhookOptions, env: Env): SignatureCheck {
  const secret = typeof options.secret === 'string' ? options.secret : env[options.secret.env]
  const name = typeof options.secret === 'string' ? `webhook ${path}` : options.secret.env
  if (secret === undefined || secret.trim() === '') throw new ConfigError(name, `the webhook ${path} needs a secret`)
  return {
    scheme: options.signature ?? 'github',
    secret,
    header: (options.header ?? 'authorization').toLowerCase(),
    replayWindow: options.replayWindow ?? REPLAY_WINDOW_S,
  }
}

/** The reason the outbox refused one of the sends at once (full, stopped, too big), if it did; later outcomes are the core's to report. */
async function refusedAtOnce(sends: readonly Promise<void>[]): Promise<string | undefined> {
  if (sends.length === 0) return undefined
  let refused: string | undefined
  for (const send of sends) send.catch((error: unknown) => (refused ??= error instanceof UndeliveredError ? error.reason : String(error)))
  await nextTurn()
  return refused
}

function toResponse(result: HttpResult, sent: boolean): Response {
  if (result instanceof Response) return result
  if (typeof result === 'string') return new Response(result, { headers: { 'content-type': 'text/plain; charset=utf-8' } })
  if (result === undefined || result === null) return new Response(null, { status: sent ? 202 : 204 })
  return Response.json(result)
}

/** What the web side adds to a bot. */
export interface WebFeature {
  /** Routes, webhooks, `/healthz` and `/metrics`; served on `PORT`. */
  readonly http: Http
  /**
   * Answers signed POST requests on `path` (see {@link Http.webhook}).
   *
   * @example
   * ```ts
   * bot.webhook('/notify', { secret: { env: 'WEBHOOK_SECRET' } }, (hook) => hook.say('ops@example.org', hook.text))
   * ```
   */
  webhook(path: string, options: WebhookOptions, handler: HttpHandler): Http
}

/**
 * The web side: HTTP routes and webhooks on the bot, `/healthz` and `/metrics`, served when the
 * process has `PORT` (Heroku's `web:` process), bound at start before the XMPP login, drained on
 * SIGTERM before the XMPP shutdown. `createBot()` installs it.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(rooms()).install(formation()).install(web({ metricsToken: 'scrape-me' }))
 * ```
 */
export function web(options: WebOptions = {}): (bot: WebBot) => WebFeature {
  return (bot) => {
    bot.settingsTable.add(...Object.values(WEB_SETTINGS))
    const http = new Http(bot, options)
    return { http, webhook: (path, hookOptions, handler) => http.webhook(path, hookOptions, handler) }
  }
}
