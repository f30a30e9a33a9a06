import { describe, expect, it } from 'vitest'
import { NS_SASL } from '../../src/ns.js'
import { redact } from '../../src/wire/redact.js'
import { xml } from '../../src/xml.js'

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

  it('hides the values of secret data form fields: text-private, and any var naming a secret or password', () => {
    const form = xml(
      'iq',
      { type: 'set', to: 'room@conference.example.org' },
      xml(
        'query',
        { xmlns: 'http://jabber.org/protocol/muc#owner' },
        xml(
          'x',
          { xmlns: 'jabber:x:data', type: 'submit' },
          xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, 'http://jabber.org/protocol/muc#roomconfig')),
          xml('field', { var: 'muc#roomconfig_roomname' }, xml('value', {}, 'Team room')),
          xml('field', { var: 'muc#roomconfig_roomsecret' }, xml('value', {}, 'room-s3cret')),
          xml('field', { var: 'x-api-token', type: 'text-private' }, xml('value', {}, 'tok-9f8e')),
          xml('field', { var: 'Admin_Password' }, xml('value', {}, 'adm1n'), xml('value', {}, 'adm2n')),
        ),
      ),
    )
    const out = redact(form)
    for (const secret of ['room-s3cret', 'tok-9f8e', 'adm1n', 'adm2n']) expect(out).not.toContain(secret)
    expect(out).toContain('<field var="muc#roomconfig_roomsecret"><value>hidden</value></field>')
    expect(out).toContain('<value>Team room</value>')
    expect(out).toContain('<value>http://jabber.org/protocol/muc#roomconfig</value>')
  })

  it('hides a room password in a join', () => {
    const join = xml(
      'presence',
      { to: 'room@conference.example.org/bot' },
      xml('x', { xmlns: 'http://jabber.org/protocol/muc' }, xml('password', {}, 'letmein')),
    )
    expect(redact(join)).toBe(
      '<presence to="room@conference.example.org/bot"><x xmlns="http://jabber.org/protocol/muc"><password>hidden</password></x></presence>',
    )
  })

  it('logs a stanza of any depth, eliding what nests too deep', () => {
    const root = xml('iq', { type: 'get' })
    let inner = root
    for (let i = 0; i < 20_000; i++) {
      const child = xml('a', {})
      inner.append(child)
      inner = child
    }
    inner.append('bottom')
    const out = redact(root)
    expect(out.startsWith('<iq type="get"><a><a>')).toBe(true)
    expect(out).toContain('…')
    expect(out).not.toContain('bottom')
    expect(out.length).toBeLessThan(1_000)
  })

  it('writes what it shows as ltx does, escapes included', () => {
    const stanza = xml(
      'message',
      { to: 'a@example.org', title: 'say "hi" & \'bye\' <now>' },
      xml('body', {}, '1 < 2 && 3 > 2 "quoted"'),
      xml('active', { xmlns: 'urn:x' }),
    )
    expect(redact(stanza)).toBe(stanza.toString())
  })

  it('leaves the element it logs untouched', () => {
    const stanza = xml('iq', {}, xml('password', {}, 'hunter2'))
    redact(stanza)
    expect(stanza.toString()).toContain('hunter2')
    const auth = xml('auth', { xmlns: NS_SASL, mechanism: 'PLAIN' }, 'c2VjcmV0')
    redact(auth)
    expect(auth.toString()).toContain('c2VjcmV0')
  })

  it('keeps ordinary stanzas whole', () => {
    const out = redact(xml('message', { to: 'alice@example.org', type: 'chat' }, xml('body', {}, 'hi\nthere')))
    expect(out).toBe('<message to="alice@example.org" type="chat"><body>hi\nthere</body></message>')
  })
})
