import { Refusal } from './refusal.js'

/**
 * The media type of a `Content-Type` header, lowercase and without its parameters (`charset`, ...).
 *
 * @example
 * ```ts
 * mediaType('application/json; charset=utf-8') // 'application/json'
 * ```
 */
export function mediaType(header: string | null): string {
  return (header ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? ''
}

/**
 * Whether a media type is one of those a route takes: exact names, `type/*`, or `*\/*`; a JSON
 * route also takes `+json` types (`application/vnd.github+json`).
 *
 * @example
 * ```ts
 * takes(['application/json'], 'application/vnd.api+json') // true
 * ```
 */
export function takes(accepted: readonly string[], type: string): boolean {
  return accepted.some((a) => a === '*/*' || a === type || (a.endsWith('/*') && type.startsWith(a.slice(0, -1))) || (a === 'application/json' && isJson(type)))
}

/** Whether a media type holds JSON. */
export function isJson(type: string): boolean {
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))
}

/**
 * Reads a request's body, at most `limit` bytes: a declared length over it is refused before reading,
 * a body that turns out longer as soon as it passes the limit (413 either way).
 *
 * @example
 * ```ts
 * const body = await readBody(request, 1024 * 1024)
 * ```
 */
export async function readBody(request: Request, limit: number): Promise<Buffer> {
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit)
  // A declared length is what the HTTP parser holds the body to: read it whole, without a stream in between.
  if (declared !== null) return Buffer.from(await request.arrayBuffer())
  if (!request.body) return Buffer.alloc(0)
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = request.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      throw tooLarge(limit)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks, size)
}

/**
 * Parses a JSON body; malformed JSON is refused with 400.
 *
 * @example
 * ```ts
 * parseJson(Buffer.from('{"text":"hi"}')) // { text: 'hi' }
 * ```
 */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    throw new Refusal(400, 'malformed JSON')
  }
}

function tooLarge(limit: number): Refusal {
  return new Refusal(413, `body over ${limit} bytes`)
}
