// When natter may log in over a connection without TLS: the one exemption (loopback) and the opt-in.
import { BlockList, isIP } from 'node:net'

const LOOPBACK = new BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

/**
 * Whether an IP address is a loopback address: 127.0.0.0/8, `::1`, or either written as IPv6
 * (`::ffff:127.0.0.1`). Traffic to such an address never leaves the machine, so nobody on a network
 * can read it. Host names are not addresses: `localhost` is false, since what it resolves to is not
 * known here.
 *
 * @example
 * ```ts
 * isLoopbackAddress('127.0.0.1') // true
 * isLoopbackAddress('192.0.2.7') // false
 * ```
 */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 0) return false
  return LOOPBACK.check(address, family === 6 ? 'ipv6' : 'ipv4')
}

/** How a connection is protected while natter logs in. */
export type LinkProtection =
  /** TLS, by STARTTLS or direct TLS (`xmpps://`). */
  | 'tls'
  /** No TLS, to a loopback address: allowed, as nothing leaves the machine. */
  | 'loopback'
  /** No TLS to another machine, allowed only by `XMPP_ALLOW_INSECURE`. */
  | 'insecure'

/**
 * Classifies the connection natter is about to log in over; `undefined` when logging in is not allowed
 * (no TLS to a remote address, without the opt-in).
 *
 * @example
 * ```ts
 * linkProtection({ secure: false, remoteAddress: '127.0.0.1', allowInsecure: false }) // 'loopback'
 * linkProtection({ secure: false, remoteAddress: '192.0.2.7', allowInsecure: false }) // undefined
 * ```
 */
export function linkProtection(link: { secure: boolean; remoteAddress: string | undefined; allowInsecure: boolean }): LinkProtection | undefined {
  if (link.secure) return 'tls'
  if (link.remoteAddress !== undefined && isLoopbackAddress(link.remoteAddress)) return 'loopback'
  return link.allowInsecure ? 'insecure' : undefined
}
