// Channel binding data for SCRAM -PLUS: ties the login to this very TLS connection, so that a man in the middle
// holding a certificate the bot trusts still cannot relay the exchange (RFC 5056).
import { createHash } from 'node:crypto'
import type { ChannelBinding } from './scram.js'

/** The parts of a node:tls TLSSocket that channel binding reads. */
export interface TlsEndpoint {
  getProtocol(): string | null
  exportKeyingMaterial(length: number, label: string, context: Buffer): Buffer
  getPeerCertificate(detailed?: false): { raw?: Buffer }
}

/** The channel binding types natter computes, in its order of preference. */
export const CHANNEL_BINDING_TYPES = ['tls-exporter', 'tls-server-end-point'] as const

/**
 * The channel bindings this TLS connection can provide, most preferred first. `tls-exporter` (RFC 9266)
 * only on TLS 1.3: on TLS 1.2 it is safe only with the extended master secret, which node does not
 * report. `tls-server-end-point` (RFC 5929) whenever the server's certificate names a hash it can use.
 *
 * @example
 * ```ts
 * const bindings = channelBindings(tlsSocket) // [{ type: 'tls-exporter', data: <32 bytes> }, ...]
 * ```
 */
export function channelBindings(tls: TlsEndpoint): ChannelBinding[] {
  const bindings: ChannelBinding[] = []
  if (tls.getProtocol() === 'TLSv1.3') {
    bindings.push({ type: 'tls-exporter', data: tls.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0)) })
  }
  const certificate = tls.getPeerCertificate(false).raw
  const hash = certificate && serverEndPointHash(certificate)
  if (certificate && hash) bindings.push({ type: 'tls-server-end-point', data: createHash(hash).update(certificate).digest() })
  return bindings
}

/**
 * The hash `tls-server-end-point` uses for a certificate (DER): the one of its signature algorithm, with
 * MD5 and SHA-1 raised to SHA-256 (RFC 5929, section 4.1). `undefined` for algorithms that name no
 * single hash (RSA-PSS, EdDSA) or that natter does not know.
 *
 * @example
 * ```ts
 * serverEndPointHash(new X509Certificate(pem).raw) // 'sha256' for a sha256WithRSAEncryption certificate
 * ```
 */
export function serverEndPointHash(der: Buffer): string | undefined {
  try {
    const certificate = readTlv(der, 0, SEQUENCE)
    const tbs = readTlv(der, certificate.start, SEQUENCE)
    const algorithm = readTlv(der, tbs.end, SEQUENCE)
    const oid = readTlv(der, algorithm.start, OBJECT_IDENTIFIER)
    return SIGNATURE_HASHES.get(der.subarray(oid.start, oid.end).toString('hex'))
  } catch {
    return undefined
  }
}

const SEQUENCE = 0x30
const OBJECT_IDENTIFIER = 0x06

/** Signature algorithm OIDs (DER content, hex) and the hash tls-server-end-point uses with them. */
const SIGNATURE_HASHES = new Map([
  ['2a864886f70d010104', 'sha256'], // md5WithRSAEncryption
  ['2a864886f70d010105', 'sha256'], // sha1WithRSAEncryption
  ['2a864886f70d01010e', 'sha224'], // sha224WithRSAEncryption
  ['2a864886f70d01010b', 'sha256'], // sha256WithRSAEncryption
  ['2a864886f70d01010c', 'sha384'], // sha384WithRSAEncryption
  ['2a864886f70d01010d', 'sha512'], // sha512WithRSAEncryption
  ['2a8648ce3d0401', 'sha256'], // ecdsa-with-SHA1
  ['2a8648ce3d040301', 'sha224'], // ecdsa-with-SHA224
  ['2a8648ce3d040302', 'sha256'], // ecdsa-with-SHA256
  ['2a8648ce3d040303', 'sha384'], // ecdsa-with-SHA384
  ['2a8648ce3d040304', 'sha512'], // ecdsa-with-SHA512
])

/** One DER element at `offset`: where its content starts and where the element ends. */
function readTlv(der: Buffer, offset: number, tag: number): { start: number; end: number } {
  if (der[offset] !== tag) throw new Error('unexpected DER tag')
  const first = der[offset + 1] ?? 0
  let start = offset + 2
  let length = first
  if (first & 0x80) {
    const bytes = first & 0x7f
    if (bytes === 0 || bytes > 4) throw new Error('unsupported DER length')
    length = der.readUIntBE(start, bytes)
    start += bytes
  }
  if (start + length > der.length) throw new Error('truncated DER')
  return { start, end: start + length }
}
