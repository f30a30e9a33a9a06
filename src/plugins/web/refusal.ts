/**
 * A request the web side will not take, with the status it answers and the reason it logs (once).
 * The reason names what was wrong, never a secret nor the request's content.
 *
 * @example
 * ```ts
 * throw new Refusal(415, 'content type text/plain not taken')
 * ```
 */
export class Refusal extends Error {
  override readonly name = 'Refusal'

  constructor(
    readonly status: number,
    readonly reason: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(reason)
  }

  /** The answer: the status, and the reason as a short JSON body. */
  response(): Response {
    return Response.json({ error: this.reason }, { status: this.status, headers: this.headers })
  }
}
