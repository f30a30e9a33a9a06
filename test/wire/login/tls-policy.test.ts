import { describe, expect, it } from 'vitest'
import { isLoopbackAddress, linkProtection } from '../../../src/wire/login/tls-policy.js'

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.0.0.2', '127.255.255.254', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::ffff:7f00:1'])(
    'counts %s as loopback',
    (address) => expect(isLoopbackAddress(address)).toBe(true),
  )

  it.each(['128.0.0.1', '126.255.255.255', '10.0.0.1', '192.0.2.2', '0.0.0.0', '::', '::2', 'fe80::1', 'fd00::2', '::ffff:192.0.2.2', '::127.0.0.1'])(
    'does not count %s',
    (address) => expect(isLoopbackAddress(address)).toBe(false),
  )

  it.each(['localhost', '127.0.0.1.example.org', '127.0.0', '', ' 127.0.0.1', 'fe80::1%lo'])('does not count %j, which is not an IP address', (address) =>
    expect(isLoopbackAddress(address)).toBe(false),
  )
})

describe('linkProtection', () => {
  it('allows TLS to any address', () => {
    expect(linkProtection({ secure: true, remoteAddress: '192.0.2.2', allowInsecure: false })).toBe('tls')
  })

  it('allows no TLS to loopback only, or with the opt-in', () => {
    expect(linkProtection({ secure: false, remoteAddress: '127.0.0.1', allowInsecure: false })).toBe('loopback')
    expect(linkProtection({ secure: false, remoteAddress: '::1', allowInsecure: true })).toBe('loopback')
    expect(linkProtection({ secure: false, remoteAddress: '192.0.2.2', allowInsecure: false })).toBeUndefined()
    expect(linkProtection({ secure: false, remoteAddress: undefined, allowInsecure: false })).toBeUndefined()
    expect(linkProtection({ secure: false, remoteAddress: '192.0.2.2', allowInsecure: true })).toBe('insecure')
  })
})
