import { describe, expect, it } from 'vitest'
import { SeenSignatures, type SignatureCheck, signatureMissing, signBody, verifySignature } from '../../../src/plugins/web/signature.js'

const SECRET = 's3cret'
const BODY = Buffer.from('{"text":"hi"}')
const check = (scheme: SignatureCheck['scheme'], header = 'authorization'): SignatureCheck => ({ scheme, secret: SECRET, header, replayWindow: 300 })
const verify = (c: SignatureCheck, headers: Record<string, string>, body = BODY, now = Date.now(), seen = new SeenSignatures()) =>
  verifySignature(c, new Headers(headers), body, now, seen)

describe('github signatures', () => {
  it('take the HMAC-SHA256 of the raw body, in either case of hex', () => {
    const signature = signBody(SECRET, BODY)
    expect(verify(check('github'), { 'x-hub-signature-256': signature })).toBeUndefined()
    expect(verify(check('github'), { 'x-hub-signature-256': `sha256=${signature.slice(7).toUpperCase()}` })).toBeUndefined()
  })

  it('refuse another secret, another body, a malformed header, and say when the header is missing', () => {
    expect(verify(check('github'), { 'x-hub-signature-256': signBody('other', BODY) })).toBe('wrong signature')
    expect(verify(check('github'), { 'x-hub-signature-256': signBody(SECRET, BODY) }, Buffer.from('{"text":"ho"}'))).toBe('wrong signature')
    expect(verify(check('github'), { 'x-hub-signature-256': 'sha1=abc' })).toBe('wrong signature')
    expect(signatureMissing(check('github'), new Headers())).toBe('no x-hub-signature-256 header')
  })
})

describe('token checks', () => {
  it('take Bearer <secret> in Authorization, or the secret in a header of the route', () => {
    expect(verify(check('token'), { authorization: `Bearer ${SECRET}` })).toBeUndefined()
    expect(verify(check('token', 'x-gitlab-token'), { 'x-gitlab-token': SECRET })).toBeUndefined()
  })

  it('refuse a wrong token of any length, and Authorization without Bearer', () => {
    expect(verify(check('token'), { authorization: 'Bearer s3cre' })).toBe('wrong token')
    expect(verify(check('token'), { authorization: `Bearer ${SECRET}x` })).toBe('wrong token')
    expect(verify(check('token'), { authorization: SECRET })).toBe('authorization is not "Bearer <token>"')
  })
})

describe('timestamped signatures', () => {
  const now = 1_800_000_000_000
  const signed = (stamp: number, body = BODY) => ({ 'x-signature-timestamp': String(stamp), 'x-signature-256': signBody(SECRET, body, stamp) })

  it('take a fresh one once, and refuse it when sent again', () => {
    const seen = new SeenSignatures()
    const headers = signed(now / 1000 - 10)
    expect(verify(check('timestamped'), headers, BODY, now, seen)).toBeUndefined()
    expect(verify(check('timestamped'), headers, BODY, now, seen)).toBe('replayed')
  })

  it('refuse a timestamp outside the window, either way, and one the signature does not cover', () => {
    expect(verify(check('timestamped'), signed(now / 1000 - 301), BODY, now)).toBe('timestamp outside the replay window')
    expect(verify(check('timestamped'), signed(now / 1000 + 301), BODY, now)).toBe('timestamp outside the replay window')
    const moved = { ...signed(now / 1000), 'x-signature-timestamp': String(now / 1000 - 1) }
    expect(verify(check('timestamped'), moved, BODY, now)).toBe('wrong signature')
    expect(verify(check('timestamped'), { ...signed(now / 1000), 'x-signature-timestamp': 'soon' }, BODY, now)).toBe('malformed timestamp')
  })
})

describe('the memory of signatures seen', () => {
  it('forgets the oldest beyond its size', () => {
    const seen = new SeenSignatures(2)
    const until = Date.now() / 1000 + 60
    expect([seen.add('a', until), seen.add('b', until), seen.add('c', until)]).toEqual([true, true, true])
    expect(seen.add('a', until)).toBe(true)
    expect(seen.add('c', until)).toBe(false)
  })
})
