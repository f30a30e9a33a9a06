import type { MessageType } from '../../dispatch/context/message.js'
import type { Logger } from '../../log/logger.js'
import { type XmlElement, xml } from '../../xml.js'

/**
 * A request as a route's handler gets it: read in full and checked (size, content type, signature,
 * JSON) before the handler runs. `say()` and `send()` hand messages to the bot's outbox and return
 * at once, so the request is answered without waiting for the XMPP link: a request answered 2xx has
 * its messages sent exactly once, as soon as the link allows.
 *
 * @example
 * ```ts
 * bot.http.post('/hooks/ci', (req) => {
 *   const { status } = req.json as { status: string }
 *   req.say('ops@example.org', `CI: ${status}`)
 * })
 * ```
 */
export interface HttpRequest {
  readonly method: string
  /** The path, without the query. */
  readonly path: string
  /** The route's parameters: `/hooks/:name` gives `params.name`. */
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  readonly headers: Headers
  /** The raw body (empty for a GET). */
  readonly body: Buffer
  /** The body as UTF-8 text. */
  readonly text: string
  /** The parsed body when it is JSON, else undefined. */
  readonly json: unknown
  /** The bot's logger, with the route. */
  readonly log: Logger
  /** Sends a text message through the outbox: to a JID (`chat`) or, with `groupchat`, to a room the bot is in. */
  say(to: string, text: string, type?: Exclude<MessageType, 'error'>): void
  /** Sends any stanza through the outbox. */
  send(stanza: XmlElement): void
}

/** What a request's handler may send, seen from the route that serves it. */
export interface Sender {
  send(stanza: XmlElement): Promise<void>
}

/** @internal The request a route's handler gets, keeping what it sent so the answer can wait until all of it is queued. */
export class IncomingRequest implements HttpRequest {
  readonly #sender: Sender
  readonly #sends: Promise<void>[] = []
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: Headers
  readonly text: string

  constructor(
    request: Request,
    readonly params: Readonly<Record<string, string>>,
    readonly body: Buffer,
    readonly json: unknown,
    readonly log: Logger,
    sender: Sender,
  ) {
    const url = new URL(request.url)
    this.method = request.method
    this.path = url.pathname
    this.query = url.searchParams
    this.headers = request.headers
    this.text = body.toString('utf8')
    this.#sender = sender
  }

  say(to: string, text: string, type: Exclude<MessageType, 'error'> = 'chat'): void {
    this.send(xml('message', { to, type }, xml('body', {}, text)))
  }

  send(stanza: XmlElement): void {
    this.#sends.push(this.#sender.send(stanza))
  }

  /** What the handler sent, each settling once written (or given up on). */
  get sends(): readonly Promise<void>[] {
    return this.#sends
  }
}
