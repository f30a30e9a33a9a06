import { describe, expect, it } from 'vitest'
import { NS_SASL } from '../../src/ns.js'
import { redact } from '../../src/wire/redact.js'
import { SecretNames } from '../../src/wire/secret-names.js'
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

  it("keeps SASL's own mark of a hidden payload, and elements with elements inside, whatever their name", () => {
    const auth = xml('auth', { xmlns: NS_SASL, mechanism: 'SCRAM-SHA-256' }, 'biwsbj1ib3Q=')
    expect(redact(auth)).toBe('<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="SCRAM-SHA-256"><hidden xmlns="xmpp.js"/></auth>')
    expect(redact(xml('keys', {}, xml('key', { rid: '1' }, 'a2V5')))).toBe('<keys><key rid="1">hidden</key></keys>')
  })

  it("hides a component's handshake, a hash a guess at the secret can be checked against", () => {
    expect(redact(xml('handshake', {}, 'b09ea9b3b7f586be8a08d0a3dd7466f110aeb136'))).toBe('<handshake>hidden</handshake>')
    expect(redact(xml('handshake', {}))).toBe('<handshake/>')
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

  it("hides a XEP-0249 invite's password attribute, and any attribute whose name marks a secret", () => {
    const invite = xml(
      'message',
      { to: 'alice@example.org' },
      xml('x', { xmlns: 'jabber:x:conference', jid: 'room@conference.example.org', password: 'r00m-pw', reason: 'join us' }),
      xml('session', { xmlns: 'urn:x', api_key: 'k-123', authorId: 'a1' }),
    )
    const out = redact(invite)
    expect(out).toContain('<x xmlns="jabber:x:conference" jid="room@conference.example.org" password="hidden" reason="join us"/>')
    expect(out).toContain('api_key="hidden"')
    expect(out).toContain('authorId="a1"')
    expect(out).not.toContain('r00m-pw')
  })

  it('hides form fields named like secrets though not text-private, and elements so named', () => {
    const form = xml(
      'x',
      { xmlns: 'jabber:x:data', type: 'submit' },
      xml('field', { var: 'api_token' }, xml('value', {}, 'tok-1')),
      xml('field', { var: 'passwd', type: 'text-single' }, xml('value', {}, 'pw-2')),
      xml('field', { var: 'user' }, xml('value', {}, 'bob')),
      xml('token', { xmlns: 'urn:xmpp:fast:0' }, 'fast-3'),
    )
    const out = redact(form)
    for (const secret of ['tok-1', 'pw-2', 'fast-3']) expect(out).not.toContain(secret)
    expect(out).toContain('<value>bob</value>')
  })

  it('hides the names an operator adds (LOG_SECRET_NAMES) too', () => {
    const stanza = xml('iq', { type: 'set' }, xml('field', { var: 'x-session' }, xml('value', {}, 'sess-4')), xml('cookie', {}, 'c-5'))
    expect(redact(stanza)).toContain('sess-4')
    const out = redact(stanza, new SecretNames(['session', 'cookie']))
    expect(out).not.toContain('sess-4')
    expect(out).not.toContain('c-5')
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
