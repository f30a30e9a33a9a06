import type { StanzaContext } from './context/stanza-context.js'
import type { Matcher } from './guards.js'
import { type IndexedKind, RouteIndex } from './route-index.js'
import type { Outcome } from './stanza-kind.js'

/**
 * Calls the rest of the chain: the next middleware, or the next matching handler. Resolves to whether a handler took the stanza.
 *
 * @example
 * ```ts
 * bot.use(async (ctx, next) => { if (!(await next())) ctx.log.debug({ kind: ctx.kind }, 'nobody took it') })
 * ```
 */
export type Next = () => Promise<boolean>

/**
 * Runs before every handler, for every stanza kind. Call `next()` to go on; return without calling it
 * to stop the stanza here. `next()` resolves to whether a handler took the stanza.
 *
 * @example
 * ```ts
 * bot.use(async (ctx, next) => { if (!ctx.from.endsWith('@example.org')) return; await next() })
 * bot.use(async (ctx, next) => { if (!(await next())) ctx.log.debug({ kind: ctx.kind }, 'no handler took it') })
 * ```
 */
export type Middleware = (ctx: StanzaContext, next: Next) => unknown

/**
 * A handler for one stanza kind. Calling `next()` passes the stanza on to the next matching handler.
 *
 * @example
 * ```ts
 * const echo: Handler<MessageContext> = (msg) => msg.reply(`You said: ${msg.body}`)
 * ```
 */
export type Handler<C> = (ctx: C, next: Next) => unknown

interface Route {
  /** Registration order, across kinds. */
  readonly order: number
  readonly matcher: Matcher<StanzaContext>
  readonly handler: Handler<StanzaContext>
}

/**
 * The chain every stanza walks: middleware in registration order, then the handlers of its kind in
 * registration order. The first handler whose guards match handles the stanza, unless it calls
 * `next()` to pass it on. Errors propagate to the caller. Handlers whose guards require fixed values
 * the stanza does not have (another `type`, `body`, `xmlns` or sender) are skipped without running
 * their guards (see {@link RouteIndex}): a stanza's cost does not grow with handlers that cannot match it.
 */
export class Router {
  readonly #middleware: Middleware[] = []
  readonly #routes = new Map<string, RouteIndex<Route>>()
  #order = 0

  use(middleware: Middleware): void {
    this.#middleware.push(middleware)
  }

  /** Adds a handler; `guards`, those `matcher` was compiled from, let the router skip it for stanzas it cannot match. */
  add(kind: IndexedKind & { readonly name: string }, matcher: Matcher<StanzaContext>, handler: Handler<StanzaContext>, guards?: unknown): void {
    let routes = this.#routes.get(kind.name)
    if (!routes) this.#routes.set(kind.name, (routes = new RouteIndex(kind)))
    routes.add({ order: this.#order++, matcher, handler }, guards)
  }

  /** Whether any handler is registered for the kind. */
  has(kind: string): boolean {
    return this.#routes.has(kind)
  }

  async dispatch(ctx: StanzaContext): Promise<Outcome> {
    const index = this.#routes.get(ctx.kind)
    const middleware = this.#middleware
    // Chosen once the middleware is through, as the guards would have seen the stanza then.
    let candidates: readonly Route[] | undefined
    let by = -1
    let value: unknown

    const runRoutes = async (from: number): Promise<boolean> => {
      candidates ??= index?.candidates(ctx) ?? []
      const routes = candidates
      for (let i = from; i < routes.length; i++) {
        const route = routes[i] as Route
        const match = route.matcher(ctx)
        if (!match) continue
        ctx.match = match === true ? undefined : match
        by = i
        const result = await route.handler(ctx, () => {
          by = -1
          return runRoutes(i + 1)
        })
        if (by === i) value = result
        return by !== -1
      }
      return false
    }
    const runMiddleware = async (i: number): Promise<boolean> => {
      const mw = middleware[i]
      if (!mw) return runRoutes(0)
      await mw(ctx, () => runMiddleware(i + 1))
      return by !== -1
    }

    await (middleware.length === 0 ? runRoutes(0) : runMiddleware(0))
    return { handled: by !== -1, value }
  }
}
