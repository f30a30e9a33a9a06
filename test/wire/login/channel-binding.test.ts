import { createHash, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { channelBindings, serverEndPointHash, type TlsEndpoint } from '../../../src/wire/login/channel-binding.js'

const der = (name: string): Buffer => new X509Certificate(readFileSync(new URL(`../../fixtures/certs/${name}.pem`, import.meta.url))).raw

function endpoint(protocol: string, certificate: Buffer | undefined): TlsEndpoint & { exports: unknown[][] } {
  const exports: unknown[][] = []
  return {
    exports,
    getProtocol: () => protocol,
    exportKeyingMaterial: (length, label, context) => {
      exports.push([length, label, context])
      return Buffer.alloc(length, 7)
    },
    getPeerCertificate: () => (certificate ? { raw: certificate } : {}),
  }
}

describe('serverEndPointHash', () => {
  it.each([
    ['rsa-sha256', 'sha256'],
    ['ecdsa-sha256', 'sha256'],
    ['ecdsa-sha384', 'sha384'],
    ['ecdsa-sha512', 'sha512'],
    // RFC 5929: MD5 and SHA-1 are replaced by SHA-256.
    ['ecdsa-sha1', 'sha256'],
  ])('reads the hash of a %s certificate', (name, hash) => {
    expect(serverEndPointHash(der(name))).toBe(hash)
  })

  it('has none for a signature algorithm without its own hash, nor for what is not a certificate', () => {
    expect(serverEndPointHash(der('ed25519'))).toBeUndefined()
    expect(serverEndPointHash(Buffer.from('not a certificate'))).toBeUndefined()
    expect(serverEndPointHash(der('rsa-sha256').subarray(0, 100))).toBeUndefined()
    expect(serverEndPointHash(Buffer.alloc(0))).toBeUndefined()
  })
})

describe('channelBindings', () => {
  it('gives tls-exporter first on TLS 1.3 (RFC 9266: 32 bytes, its label, an empty context), then tls-server-end-point', () => {
    const certificate = der('ecdsa-sha384')
    const tls = endpoint('TLSv1.3', certificate)
    const bindings = channelBindings(tls)
    expect(bindings.map((b) => b.type)).toEqual(['tls-exporter', 'tls-server-end-point'])
    expect(tls.exports).toEqual([[32, 'EXPORTER-Channel-Binding', Buffer.alloc(0)]])
    expect(bindings[0]?.data).toEqual(Buffer.alloc(32, 7))
    expect(bindings[1]?.data).toEqual(createHash('sha384').update(certificate).digest())
  })

  it('gives only tls-server-end-point on TLS 1.2, and the certificate fingerprint for a SHA-256 one', () => {
    const certificate = der('rsa-sha256')
    const tls = endpoint('TLSv1.2', certificate)
    const bindings = channelBindings(tls)
    expect(bindings.map((b) => b.type)).toEqual(['tls-server-end-point'])
    expect(tls.exports).toEqual([])
    expect(bindings[0]?.data.toString('hex')).toBe(
      new X509Certificate(readFileSync(new URL('../../fixtures/certs/rsa-sha256.pem', import.meta.url))).fingerprint256.replace(/:/g, '').toLowerCase(),
    )
  })

  it('gives none it cannot compute', () => {
    expect(channelBindings(endpoint('TLSv1.2', der('ed25519')))).toEqual([])
    expect(channelBindings(endpoint('TLSv1.2', undefined))).toEqual([])
  })
})
