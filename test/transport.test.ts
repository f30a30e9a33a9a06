import { describe, expect, it } from 'vitest'
import { redact } from '../src/transport.js'
import { xml } from '../src/xml.js'

const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl'

describe('redact', () => {
  it('hides SASL payloads, which carry the password or what proves it', () => {
    const secret = Buffer.from('\0bot\0hunter2').toString('base64')
    const out = redact(xml('auth', { xmlns: NS_SASL, mechanism: 'PLAIN' }, secret))
    expect(out).not.toContain(secret)
    expect(out).toContain('mechanism="PLAIN"')
    for (const name of ['challenge', 'response', 'success']) {
      expect(redact(xml(name, { xmlns: NS_SASL }, 'cGF5bG9hZA=='))).not.toContain('cGF5bG9hZA==')
    }
  })

  it('hides any password element, however deep', () => {
    const register = xml('iq', { type: 'set' }, xml('query', { xmlns: 'jabber:iq:register' }, xml('username', {}, 'bot'), xml('password', {}, 'hunter2')))
    const out = redact(register)
    expect(out).not.toContain('hunter2')
    expect(out).toContain('<username>bot</username>')
  })

  it('leaves the element it logs untouched', () => {
    const stanza = xml('iq', {}, xml('password', {}, 'hunter2'))
    redact(stanza)
    expect(stanza.toString()).toContain('hunter2')
  })

  it('keeps ordinary stanzas whole', () => {
    const out = redact(xml('message', { to: 'alice@example.org', type: 'chat' }, xml('body', {}, 'hi\nthere')))
    expect(out).toBe('<message to="alice@example.org" type="chat"><body>hi\nthere</body></message>')
  })
})
