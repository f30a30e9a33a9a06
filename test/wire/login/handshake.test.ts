import { describe, expect, it } from 'vitest'
import { createLogger } from '../../../src/log/logger.js'
import { ComponentHandshake, handshakeDigest } from '../../../src/wire/login/handshake.js'
import { type XmlElement, xml } from '../../../src/xml.js'

/** A stream that records what the handshake writes and lets the test play the server's nonzas. */
function link() {
  const written: XmlElement[] = []
  let listener: ((element: XmlElement) => void) | undefined
  return {
    written,
    server: (element: XmlElement) => listener?.(element),
    get listening() {
      return listener !== undefined
    },
    link: {
      onNonza(l: (element: XmlElement) => void) {
        listener = l
        return () => (listener = undefined)
      },
    },
    write: async (element: XmlElement) => void written.push(element),
  }
}

describe('handshakeDigest', () => {
  it('is the hex SHA-1 of the stream id followed by the secret (XEP-0114)', () => {
    // sha1sum of "3BF96D32secret", computed outside natter.
    expect(handshakeDigest('3BF96D32', 'secret')).toBe('b09ea9b3b7f586be8a08d0a3dd7466f110aeb136')
  })
})

describe('ComponentHandshake', () => {
  it("writes the digest and resolves on the server's empty handshake", async () => {
    const stream = link()
    const login = new ComponentHandshake(stream.link, stream.write, 'secret', createLogger('silent'))
    const attempt = new AbortController()
    login.begin(attempt.signal)
    const done = login.logIn('3BF96D32')
    await Promise.resolve()
    expect(stream.written.map((e) => e.toString())).toEqual(['<handshake>b09ea9b3b7f586be8a08d0a3dd7466f110aeb136</handshake>'])
    stream.server(xml('handshake', {}))
    await done
    expect(stream.listening).toBe(false)
  })

  it('stops with the attempt: a refused secret ends the stream, and the attempt with it', async () => {
    const stream = link()
    const login = new ComponentHandshake(stream.link, stream.write, 'secret', createLogger('silent'))
    const attempt = new AbortController()
    login.begin(attempt.signal)
    const done = login.logIn('id-1')
    attempt.abort(new Error('connection closed'))
    await expect(done).rejects.toThrow('connection closed')
    expect(stream.listening).toBe(false)
  })
})
