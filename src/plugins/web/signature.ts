import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/**
 * How a webhook's sender proves it knows the secret:
 * - `github`: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, as GitHub (and many
 *   others) sign;
 * - `token`: the secret itself, as `Authorization: Bearer <secret>` or in a header of the route's choice;
 * - `timestamped`: `X-Signature-Timestamp: <unix seconds>` and `X-Signature-256: sha256=<hex
 *   HMAC-SHA256 of "<timestamp>.<raw body>">`, refused outside the replay window and when seen before.
 */
export type SignatureScheme = 'github' | 'token' | 'timestamped'

/** What a route checks a request's signature with. */
export interface SignatureCheck {
  readonly scheme: SignatureScheme
  readonly secret: string
  /** For `token`: the header holding the secret; `authorization` wants `Bearer <secret>`. */
  readonly header: string
  /** For `timestamped`: how far, in seconds, the sender's clock may be from ours. */
  readonly replayWindow: number
}

/** A refusal's reason, for the log line; never the secret nor what was sent. */
export type SignatureProblem = string

const HEX_SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/

/**
 * Whether the request carries a signature at all: checked before its body is read, so that a sender
 * without one costs no reading. Returns the problem, or undefined.
 *
 * @example
 * ```ts
 * signatureMissing(check, request.headers) // 'no X-Hub-Signature-256 header'
 * ```
 */
export function signatureMissing(check: SignatureCheck, headers: Headers): SignatureProblem | undefined {
  for (const name of headerNames(check)) if (!headers.has(name)) return `no ${name} header`
  return undefined
}

/**
 * Checks the signature of a request's raw body, in constant time for a given secret. Returns the
 * problem, or undefined when the request is proven.
 *
 * @example
 * ```ts
 * const problem = verifySignature(check, request.headers, body, Date.now(), seen)
 * ```
 */
export function verifySignature(check: SignatureCheck, headers: Headers, body: Uint8Array, now: number, seen: SeenSignatures): SignatureProblem | undefined {
  if (check.scheme === 'token') {
    const given = headers.get(check.header) ?? ''
    const token = check.header === 'authorization' ? /^Bearer (.+)$/i.exec(given)?.[1] : given
    if (token === undefined) return 'authorization is not "Bearer <token>"'
    return sameToken(token, check.secret) ? undefined : 'wrong token'
  }
  if (check.scheme === 'github') return sameHmac(headers.get('x-hub-signature-256'), check.secret, [body]) ? undefined : 'wrong signature'
  const stamp = headers.get('x-signature-timestamp') ?? ''
  if (!/^\d{1,12}$/.test(stamp)) return 'malformed timestamp'
  const signature = headers.get('x-signature-256')
  if (!sameHmac(signature, check.secret, [Buffer.from(`${stamp}.`), body])) return 'wrong signature'
  if (Math.abs(now / 1000 - Number(stamp)) > check.replayWindow) return 'timestamp outside the replay window'
  if (!seen.add(signature as string, Number(stamp) + check.replayWindow)) return 'replayed'
  return undefined
}

/**
 * The signature a sender puts on a body, as the header's value: for tests and for senders written
 * with natter.
 *
 * @example
 * ```ts
 * await fetch(url, { method: 'POST', body, headers: { 'x-hub-signature-256': signBody('s3cret', body) } })
 * ```
 */
export function signBody(secret: string, body: string | Uint8Array, timestamp?: number): string {
  const hmac = createHmac('sha256', secret)
  if (timestamp !== undefined) hmac.update(`${timestamp}.`)
  return `sha256=${hmac.update(body).digest('hex')}`
}

/**
 * Signatures of `timestamped` requests already taken, until their timestamps leave the replay window:
 * the same request sent again within the window is refused. Bounded, the oldest forgotten first.
 */
export class SeenSignatures {
  readonly #until = new Map<string, number>()

  constructor(private readonly max = 10_000) {}

  /** False when the signature was taken before; `until` is in unix seconds. */
  add(signature: string, until: number): boolean {
    const now = Date.now() / 1000
    for (const [old, expiry] of this.#until) {
      if (expiry >= now) break
      this.#until.delete(old)
    }
    if (this.#until.has(signature)) return false
    // A Map iterates in insertion order: the first key is the oldest.
    if (this.#until.size >= this.max) this.#until.delete(this.#until.keys().next().value as string)
    this.#until.set(signature, until)
    return true
  }
}

function headerNames(check: SignatureCheck): string[] {
  if (check.scheme === 'github') return ['x-hub-signature-256']
  if (check.scheme === 'timestamped') return ['x-signature-timestamp', 'x-signature-256']
  return [check.header]
}

/** Compares the header's HMAC with the expected one over equal-length buffers, so the time taken tells nothing. */
function sameHmac(header: string | null, secret: string, parts: readonly Uint8Array[]): boolean {
  const hex = header === null ? undefined : HEX_SIGNATURE.exec(header)?.[1]
  if (hex === undefined) return false
  const hmac = createHmac('sha256', secret)
  for (const part of parts) hmac.update(part)
  return timingSafeEqual(Buffer.from(hex, 'hex'), hmac.digest())
}

/** Compares digests, not the tokens themselves: equal lengths whatever was sent, so the time taken tells nothing. */
function sameToken(given: string, secret: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(given), digest(secret))
}
