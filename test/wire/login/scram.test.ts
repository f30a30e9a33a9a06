import { createHash, createHmac, pbkdf2Sync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { SCRAM_ITERATIONS, ScramClient, ScramError } from '../../../src/wire/login/scram.js'

// The example exchange of RFC 5802, section 5 (SCRAM-SHA-1).
const SHA1 = {
  nonce: 'fyko+d2lbbFgONRv9qkxdawL',
  serverFirst: 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
  clientFinal: 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
  serverFinal: 'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=',
}
// The example exchange of RFC 7677, section 3 (SCRAM-SHA-256).
const SHA256 = {
  nonce: 'rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
}
const NO_BINDING = { flag: 'n' } as const

/** How `promise` stands once the microtasks queued now have run, before the event loop turns. */
async function settledBeforeTheEventLoop(promise: Promise<unknown>): Promise<'resolved' | 'rejected' | 'pending'> {
  const pending = new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))
  return Promise.race([
    promise.then(
      () => 'resolved' as const,
      () => 'rejected' as const,
    ),
    pending,
  ])
}

/** What a server computes for a SCRAM exchange (RFC 5802, section 3), written out step by step for the tests. */
function serverSide(hash: string, password: string, salt: Buffer, iterations: number, authMessage: string): { proof: string; signature: string } {
  const salted = pbkdf2Sync(password, salt, iterations, createHash(hash).digest().length, hash)
  const hmac = (key: Buffer, data: string): Buffer => createHmac(hash, key).update(data).digest()
  const clientKey = hmac(salted, 'Client Key')
  const clientSignature = hmac(createHash(hash).update(clientKey).digest(), authMessage)
  const proof = Buffer.from(clientKey.map((b, i) => b ^ (clientSignature[i] as number)))
  return { proof: proof.toString('base64'), signature: hmac(hmac(salted, 'Server Key'), authMessage).toString('base64') }
}

async function errorOf(promise: Promise<unknown>): Promise<ScramError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ScramError)
  return error as ScramError
}

describe('ScramClient', () => {
  it('answers the SCRAM-SHA-1 example of RFC 5802 and checks its server signature', async () => {
    const scram = new ScramClient('sha1', NO_BINDING, SHA1.nonce)
    expect(scram.first('user')).toBe(`n,,n=user,r=${SHA1.nonce}`)
    expect(await scram.final(SHA1.serverFirst, 'pencil')).toBe(SHA1.clientFinal)
    expect(scram.verified).toBe(false)
    scram.verify(SHA1.serverFinal)
    expect(scram.verified).toBe(true)
  })

  it('answers the SCRAM-SHA-256 example of RFC 7677 and checks its server signature', async () => {
    const scram = new ScramClient('sha256', NO_BINDING, SHA256.nonce)
    expect(scram.first('user')).toBe(`n,,n=user,r=${SHA256.nonce}`)
    expect(await scram.final(SHA256.serverFirst, 'pencil')).toBe(SHA256.clientFinal)
    scram.verify(SHA256.serverFinal)
    expect(scram.verified).toBe(true)
  })

  it('computes SCRAM-SHA-512 as a server does', async () => {
    const salt = Buffer.from('a salt of sixteen')
    const serverFirst = `r=abc123xyz,s=${salt.toString('base64')},i=4096`
    const scram = new ScramClient('sha512', NO_BINDING, 'abc123')
    const first = scram.first('bot')
    const final = await scram.final(serverFirst, 'pw-512')
    const withoutProof = final.slice(0, final.indexOf(',p='))
    const expected = serverSide('sha512', 'pw-512', salt, 4096, `${first.slice(3)},${serverFirst},${withoutProof}`)
    expect(final).toBe(`${withoutProof},p=${expected.proof}`)
    scram.verify(`v=${expected.signature}`)
    expect(scram.verified).toBe(true)
  })

  it('refuses a server signature that does not match, and a missing one', async () => {
    const forged = new ScramClient('sha256', NO_BINDING, SHA256.nonce)
    forged.first('user')
    await forged.final(SHA256.serverFirst, 'pencil')
    expect(() => forged.verify('v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')).toThrow(expect.objectContaining({ kind: 'signature' }))
    expect(forged.verified).toBe(false)
    const empty = new ScramClient('sha256', NO_BINDING, SHA256.nonce)
    empty.first('user')
    await empty.final(SHA256.serverFirst, 'pencil')
    expect(() => empty.verify('x=nothing')).toThrow(expect.objectContaining({ kind: 'signature' }))
  })

  it('refuses a server signature computed for another password', async () => {
    const scram = new ScramClient('sha1', NO_BINDING, SHA1.nonce)
    scram.first('user')
    await scram.final(SHA1.serverFirst, 'not pencil')
    expect(() => scram.verify(SHA1.serverFinal)).toThrow(ScramError)
  })

  it('refuses a server nonce that does not extend its own, a server error, and a mandatory extension', async () => {
    const cases = [
      ['r=someone-else,s=QSXCR+Q6sek8bf92,i=4096', 'protocol', 'nonce'],
      [`r=${SHA1.nonce},s=QSXCR+Q6sek8bf92,i=4096`, 'protocol', 'nonce'],
      ['e=unknown-user', 'refused', 'unknown-user'],
      [`m=ext,r=${SHA1.nonce}x,s=QSXCR+Q6sek8bf92,i=4096`, 'protocol', 'extension'],
      [`r=${SHA1.nonce}x,i=4096`, 'protocol', 'salt'],
    ] as const
    for (const [serverFirst, kind, words] of cases) {
      const scram = new ScramClient('sha1', NO_BINDING, SHA1.nonce)
      scram.first('user')
      const error = await errorOf(scram.final(serverFirst, 'pencil'))
      expect(error.kind).toBe(kind)
      expect(error.message).toContain(words)
    }
  })

  it(`accepts ${SCRAM_ITERATIONS.min} to ${SCRAM_ITERATIONS.max} iterations, and refuses others before computing anything`, async () => {
    expect(SCRAM_ITERATIONS).toEqual({ min: 4096, max: 1_000_000 })
    for (const count of ['4095', '1000001', '2000000000', '0', '-5000', '1e5', '', '10000.5']) {
      const scram = new ScramClient('sha256', NO_BINDING, 'n0nce')
      scram.first('bot')
      const final = scram.final(`r=n0nce-server,s=c2FsdA==,i=${count}`, 'pw')
      // PBKDF2 runs on the thread pool and answers through the event loop: refused before it, the answer is there at once.
      expect(await settledBeforeTheEventLoop(final)).toBe('rejected')
      const error = await errorOf(final)
      expect(error.kind).toBe('protocol')
      expect(error.message).toContain('iterations')
    }
    const scram = new ScramClient('sha256', NO_BINDING, 'n0nce')
    scram.first('bot')
    await expect(scram.final('r=n0nce-server,s=c2FsdA==,i=4096', 'pw')).resolves.toContain(',p=')
  })

  it('stops without an answer when its attempt is abandoned, during PBKDF2 or before', async () => {
    const during = new AbortController()
    const scram = new ScramClient('sha512', NO_BINDING, 'n0nce')
    scram.first('bot')
    const answer = scram.final('r=n0nce-server,s=c2FsdA==,i=200000', 'pw', during.signal)
    during.abort(new Error('abandoned'))
    await expect(answer).rejects.toThrow('abandoned')

    const before = new ScramClient('sha1', NO_BINDING, 'n0nce')
    before.first('bot')
    await expect(before.final('r=n0nce-server,s=c2FsdA==,i=4096', 'pw', AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone')
  })

  it('takes each step once, in order', async () => {
    const scram = new ScramClient('sha1', NO_BINDING, SHA1.nonce)
    expect(() => scram.verify(SHA1.serverFinal)).toThrow(ScramError)
    scram.first('user')
    expect(() => scram.first('user')).toThrow(ScramError)
    await scram.final(SHA1.serverFirst, 'pencil')
    await expect(scram.final(SHA1.serverFirst, 'pencil')).rejects.toThrow(ScramError)
  })

  it('binds to the TLS channel with -PLUS, and says when it could have', async () => {
    const data = Buffer.from('0123456789abcdef0123456789abcdef')
    const bound = new ScramClient('sha256', { flag: 'p', binding: { type: 'tls-exporter', data } }, 'n0nce')
    expect(bound.first('bot')).toBe('p=tls-exporter,,n=bot,r=n0nce')
    const final = await bound.final('r=n0nce-server,s=c2FsdA==,i=4096', 'pw')
    const c = Buffer.from(final.slice(2, final.indexOf(',')), 'base64')
    expect(c).toEqual(Buffer.concat([Buffer.from('p=tls-exporter,,'), data]))

    const could = new ScramClient('sha256', { flag: 'y' }, 'n0nce')
    expect(could.first('bot')).toBe('y,,n=bot,r=n0nce')
    expect(await could.final('r=n0nce-server,s=c2FsdA==,i=4096', 'pw')).toMatch(/^c=eSws,/)
  })

  it('escapes the username', () => {
    expect(new ScramClient('sha1', NO_BINDING, 'n').first('zoë,=x')).toBe('n,,n=zoë=2C=3Dx,r=n')
  })
})
