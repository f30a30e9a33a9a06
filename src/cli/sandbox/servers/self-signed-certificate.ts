// The certificate of a private server that requires TLS: self-signed, as a fresh server out of the box has.
import path from 'node:path'
import { run } from './commands.js'

/**
 * A certificate for `names` that no trust store knows, as a fresh server out of the box has, written to
 * `<dir>/localhost.key` and `<dir>/localhost.crt` (PEM); resolves with both paths.
 *
 * @example
 * ```ts
 * const { key, certificate } = await selfSignedCertificate(dir, ['localhost'])
 * ```
 */
export async function selfSignedCertificate(dir: string, names: string[]): Promise<{ key: string; certificate: string }> {
  const key = path.join(dir, 'localhost.key')
  const certificate = path.join(dir, 'localhost.crt')
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${names[0] ?? 'localhost'}`,
    '-addext',
    `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}`,
    '-keyout',
    key,
    '-out',
    certificate,
  ])
  return { key, certificate }
}
