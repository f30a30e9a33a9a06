import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ConfigError } from '../../errors.js'

/** One route as the HTTP library gets it: the registered path, and what answers it. */
export interface Endpoint {
  readonly method: 'GET' | 'POST'
  readonly path: string
  answer(request: Request, params: Readonly<Record<string, string>>): Promise<Response>
}

/** What answers a request no route took. */
export type Fallback = (request: Request) => Response

/**
 * The app: Hono's router over the endpoints, loaded on first use so a bot that serves no HTTP never
 * loads it. `fetch` answers a Web `Request`, in memory (the test kit) or from the server.
 *
 * @example
 * ```ts
 * const fetch = await buildApp(endpoints, () => new Response(null, { status: 404 }))
 * const response = await fetch(new Request('http://bot/healthz'))
 * ```
 */
export async function buildApp(endpoints: readonly Endpoint[], notFound: Fallback): Promise<(request: Request) => Promise<Response>> {
  const { Hono } = await import('hono')
  const app = new Hono()
  for (const endpoint of endpoints) app.on(endpoint.method, endpoint.path, (c) => endpoint.answer(c.req.raw, c.req.param()))
  app.notFound((c) => notFound(c.req.raw))
  return async (request) => app.fetch(request)
}

/**
 * The HTTP server on `PORT`, through `@hono/node-server`: bound as soon as it is made, and drained on
 * shutdown (no new connections; idle ones closed; open ones closed once their request is answered).
 *
 * @example
 * ```ts
 * const server = await HttpServer.listen(fetch, 5000)
 * await server.close(10_000)
 * ```
 */
export class HttpServer {
  private constructor(private readonly server: Server) {}

  /** Binds the port; rejects with a `ConfigError` naming `PORT` when it cannot (in use, no permission). */
  static async listen(fetch: (request: Request) => Promise<Response>, port: number, host?: string): Promise<HttpServer> {
    const { createAdaptorServer } = await import('@hono/node-server')
    // Left alone, the adapter swaps the process's global Request and Response for its own: not a library's call to make.
    const server = createAdaptorServer({ fetch, overrideGlobalObjects: false }) as Server
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(new ConfigError('PORT', `cannot listen on ${port}: ${error.code ?? error.message}`)))
      server.listen({ port, host }, resolve)
    })
    return new HttpServer(server)
  }

  /** The port it listens on (the one the system picked, for port 0). */
  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  /**
   * Stops listening and closes the connections once their requests are answered; those still open
   * after `ms` are cut. Resolves once the server is closed.
   */
  async close(ms: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeIdleConnections()
    const timer = setTimeout(() => this.server.closeAllConnections(), ms)
    timer.unref()
    await closed
    clearTimeout(timer)
  }
}
