import { createPrivateKey, X509Certificate } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { selfSignedCertificate } from '../../../../src/cli/sandbox/servers/self-signed-certificate.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'natter-certificate-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('selfSignedCertificate', () => {
  it('writes a key and a certificate it signed itself, for every name, the first one as its subject', async () => {
    const { key, certificate } = await selfSignedCertificate(dir, ['localhost', 'conference.localhost'])
    expect([key, certificate]).toEqual([join(dir, 'localhost.key'), join(dir, 'localhost.crt')])
    const x509 = new X509Certificate(await readFile(certificate))
    expect(x509.subject).toBe('CN=localhost')
    expect(x509.issuer).toBe(x509.subject)
    expect(x509.subjectAltName).toBe('DNS:localhost, DNS:conference.localhost')
    expect(x509.verify(x509.publicKey)).toBe(true)
    expect(x509.checkPrivateKey(createPrivateKey(await readFile(key)))).toBe(true)
  })
})
