import { createHmac, pbkdf2Sync } from 'node:crypto'
import { ConnectError, type XmlElement, xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { beginLogin, converse, type LoginLink, SaslInbox, type SaslWire } from '../../../src/wire/login/sasl.js'

const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl'
const CREDENTIALS = { username: 'bot', password: 'pw-Sasl-1357' }
const TLS_EXPORTER = { type: 'tls-exporter', data: Buffer.alloc(32, 1) }
const END_POINT = { type: 'tls-server-end-point', data: Buffer.alloc(32, 2) }

function features(mechanisms: string[], bindingTypes?: string[]): XmlElement {
  return xml(
    'stream:features',
    {},
    xml('mechanisms', { xmlns: NS_SASL }, ...mechanisms.map((m) => xml('mechanism', {}, m))),
    bindingTypes && xml('sasl-channel-binding', { xmlns: 'urn:xmpp:sasl-cb:0' }, ...bindingTypes.map((type) => xml('channel-binding', { type }))),
  )
}

function link(overrides: Partial<LoginLink> & { offered?: string[]; bindingTypes?: string[] }): LoginLink {
  return {
    service: 'xmpp://192.0.2.2:5222',
    features: features(overrides.offered ?? ['SCRAM-SHA-1'], overrides.bindingTypes),
    secure: true,
    remoteAddress: '192.0.2.2',
    allowInsecure: false,
    bindings: [],
    channelBinding: true,
    ...overrides,
  }
}

const begin = (l: LoginLink): ReturnType<typeof beginLogin> => beginLogin(l, CREDENTIALS, new AbortController().signal)

function refusal(l: LoginLink): ConnectError {
  try {
    begin(l)
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectError)
    return error as ConnectError
  }
  throw new Error('expected a refusal')
}

describe('beginLogin: where natter logs in at all', () => {
  it('refuses a connection without TLS to another machine, naming the server, before sending anything', () => {
    const error = refusal(link({ secure: false, offered: ['SCRAM-SHA-256', 'PLAIN'] }))
    expect(error.reason).toBe('insecure')
    expect(error.message).toContain('xmpp://192.0.2.2:5222 offers no TLS')
    expect(error.message).toContain('XMPP_ALLOW_INSECURE=1')
  })

  it('logs in without TLS to loopback, or to another machine with the opt-in', () => {
    expect(begin(link({ secure: false, remoteAddress: '127.0.0.1', offered: ['SCRAM-SHA-1'] })).protection).toBe('loopback')
    expect(begin(link({ secure: false, remoteAddress: '::1', offered: ['SCRAM-SHA-1'] })).protection).toBe('loopback')
    expect(begin(link({ secure: false, allowInsecure: true, offered: ['SCRAM-SHA-1'] })).protection).toBe('insecure')
  })
})

describe('beginLogin: which mechanism', () => {
  it.each([
    [['PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256'], 'SCRAM-SHA-256'],
    [['SCRAM-SHA-1', 'SCRAM-SHA-512', 'SCRAM-SHA-256'], 'SCRAM-SHA-512'],
    [['PLAIN', 'SCRAM-SHA-1'], 'SCRAM-SHA-1'],
    [['X-OAUTH2', 'PLAIN', 'SCRAM-SHA-256'], 'SCRAM-SHA-256'],
    [['PLAIN', 'DIGEST-MD5'], 'PLAIN'],
  ])('prefers the strongest: from %j, %s', (offered, expected) => {
    expect(begin(link({ offered })).mechanism).toBe(expected)
  })

  it('binds to the channel when the server says (XEP-0440) which binding types it supports', () => {
    const offered = ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256', 'SCRAM-SHA-1-PLUS', 'PLAIN']
    const both = begin(link({ offered, bindings: [TLS_EXPORTER, END_POINT], bindingTypes: ['tls-server-end-point', 'tls-exporter'] }))
    expect([both.mechanism, both.channelBinding?.type]).toEqual(['SCRAM-SHA-256-PLUS', 'tls-exporter'])
    const endPoint = begin(link({ offered, bindings: [TLS_EXPORTER, END_POINT], bindingTypes: ['tls-server-end-point', 'tls-unique'] }))
    expect([endPoint.mechanism, endPoint.channelBinding?.type]).toEqual(['SCRAM-SHA-256-PLUS', 'tls-server-end-point'])
    expect(endPoint.start()).toMatch(/^p=tls-server-end-point,,n=bot,r=/)
  })

  it('binds when the server lists no binding types: tls-exporter on TLS 1.3, else tls-server-end-point', () => {
    const offered = ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256', 'PLAIN']
    const tls13 = begin(link({ offered, bindings: [TLS_EXPORTER, END_POINT] }))
    expect(tls13.mechanism).toBe('SCRAM-SHA-256-PLUS')
    expect(tls13.channelBinding).toEqual({ type: 'tls-exporter', guessed: true })
    expect(tls13.start()).toMatch(/^p=tls-exporter,,/)
    const tls12 = begin(link({ offered, bindings: [END_POINT] }))
    expect([tls12.mechanism, tls12.channelBinding?.type]).toEqual(['SCRAM-SHA-256-PLUS', 'tls-server-end-point'])
  })

  it('does not bind when the listed types are not shared, and then says it does not (n)', () => {
    const unshared = begin(link({ offered: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'], bindings: [TLS_EXPORTER], bindingTypes: ['tls-unique'] }))
    expect([unshared.mechanism, unshared.channelBinding?.type]).toEqual(['SCRAM-SHA-256', undefined])
    // The server offered -PLUS: 'y' would make it refuse, as if the offer had been stripped on the way.
    expect(unshared.start()).toMatch(/^n,,/)
  })

  it('uses no -PLUS with XMPP_CHANNEL_BINDING=0, saying it does not bind (n)', () => {
    const off = begin(link({ offered: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256', 'PLAIN'], bindings: [TLS_EXPORTER], channelBinding: false }))
    expect([off.mechanism, off.channelBinding]).toEqual(['SCRAM-SHA-256', undefined])
    expect(off.start()).toMatch(/^n,,/)
    expect(refusal(link({ offered: ['SCRAM-SHA-256-PLUS', 'PLAIN'], bindings: [TLS_EXPORTER], channelBinding: false })).message).toContain(
      'XMPP_CHANNEL_BINDING=0',
    )
  })

  it('never falls back to PLAIN when only SCRAM-PLUS is offered and natter cannot bind', () => {
    const noTls = refusal(link({ offered: ['SCRAM-SHA-256-PLUS', 'PLAIN'], secure: false, remoteAddress: '127.0.0.1', allowInsecure: true }))
    expect(noTls.reason).toBe('unsupported')
    expect(noTls.message).toContain('offers SCRAM only with channel binding (offered: SCRAM-SHA-256-PLUS, PLAIN)')
    expect(noTls.message).toContain('does not fall back to PLAIN')
    const unshared = refusal(link({ offered: ['SCRAM-SHA-256-PLUS', 'PLAIN'], bindings: [END_POINT], bindingTypes: ['tls-unique'] }))
    expect(unshared.message).toContain('it can bind with tls-server-end-point')
  })

  it('tells a server that offers no -PLUS that natter could have bound (y), and without TLS that it cannot (n)', () => {
    expect(begin(link({ offered: ['SCRAM-SHA-256'], bindings: [TLS_EXPORTER] })).start()).toMatch(/^y,,/)
    expect(begin(link({ offered: ['SCRAM-SHA-256'], secure: false, remoteAddress: '127.0.0.1' })).start()).toMatch(/^n,,/)
  })

  it('never uses PLAIN when a SCRAM is offered, nor without TLS on loopback', () => {
    expect(begin(link({ offered: ['PLAIN', 'SCRAM-SHA-1'] })).mechanism).toBe('SCRAM-SHA-1')
    expect(begin(link({ offered: ['PLAIN', 'SCRAM-SHA-256-PLUS'], bindings: [END_POINT] })).mechanism).toBe('SCRAM-SHA-256-PLUS')
    const error = refusal(link({ secure: false, remoteAddress: '127.0.0.1', offered: ['PLAIN'] }))
    expect(error.reason).toBe('insecure')
    expect(error.message).toContain('PLAIN would hand it the password itself')
    expect(begin(link({ secure: false, allowInsecure: true, offered: ['PLAIN'] })).mechanism).toBe('PLAIN')
    expect(begin(link({ secure: false, remoteAddress: '127.0.0.1', allowInsecure: true, offered: ['PLAIN'] })).mechanism).toBe('PLAIN')
  })

  it('refuses when nothing offered is acceptable, listing what was', () => {
    const error = refusal(link({ offered: ['DIGEST-MD5', 'X-OAUTH2'] }))
    expect(error.reason).toBe('unsupported')
    expect(error.message).toContain('offered: DIGEST-MD5, X-OAUTH2')
    expect(refusal(link({ offered: ['SCRAM-SHA-256-PLUS'] })).reason).toBe('unsupported')
    expect(refusal(link({ offered: [] })).message).toContain('offered: none')
  })
})

/** A scripted server side: answers each client message with the next of `replies`, recording what the client sent. */
function scriptedWire(replies: Array<XmlElement | ((sent: XmlElement) => XmlElement)>): SaslWire & { sent: XmlElement[] } {
  const sent: XmlElement[] = []
  return {
    sent,
    send: async (element) => {
      sent.push(element)
    },
    receive: async () => {
      const next = replies.shift()
      if (!next) throw new Error('the script has ended')
      return typeof next === 'function' ? next(sent.at(-1) as XmlElement) : next
    },
  }
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')
const unb64 = (element: XmlElement): string => Buffer.from(element.getText(), 'base64').toString('utf8')

/** A SCRAM-SHA-256 server that knows `password`: its server-first, and its server-final for the client's proof. */
function scramServer(password: string, iterations = 4096): { first: (sent: XmlElement) => XmlElement; final: (sent: XmlElement) => string } {
  const salt = Buffer.from('sixteen byte salt')
  let clientFirstBare = ''
  let serverFirst = ''
  return {
    first: (sent) => {
      clientFirstBare = unb64(sent).replace(/^[ny],,/, '')
      serverFirst = `r=${/r=([^,]+)/.exec(clientFirstBare)?.[1]}srv,s=${salt.toString('base64')},i=${iterations}`
      return xml('challenge', { xmlns: NS_SASL }, b64(serverFirst))
    },
    final: (sent) => {
      const clientFinal = unb64(sent)
      const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256')
      const authMessage = `${clientFirstBare},${serverFirst},${clientFinal.slice(0, clientFinal.indexOf(',p='))}`
      const serverKey = createHmac('sha256', salted).update('Server Key').digest()
      return `v=${createHmac('sha256', serverKey).update(authMessage).digest('base64')}`
    },
  }
}

describe('converse', () => {
  const scramLink = link({ offered: ['SCRAM-SHA-256'], secure: false, remoteAddress: '127.0.0.1' })

  it('logs in once the server has proved, with <success/>, that it knows the password', async () => {
    const server = scramServer(CREDENTIALS.password)
    const wire = scriptedWire([server.first, (sent) => xml('success', { xmlns: NS_SASL }, b64(server.final(sent)))])
    await converse(begin(scramLink), wire)
    expect(wire.sent.map((e) => e.name)).toEqual(['auth', 'response'])
    expect(wire.sent[0]?.attrs.mechanism).toBe('SCRAM-SHA-256')
  })

  it('also when the server sends its proof as a last challenge', async () => {
    const server = scramServer(CREDENTIALS.password)
    const wire = scriptedWire([server.first, (sent) => xml('challenge', { xmlns: NS_SASL }, b64(server.final(sent))), xml('success', { xmlns: NS_SASL })])
    await converse(begin(scramLink), wire)
    expect(wire.sent.map((e) => e.name)).toEqual(['auth', 'response', 'response'])
    expect(wire.sent[2]?.getText()).toBe('')
  })

  it('fails, as server-auth, when the server does not know the password', async () => {
    const impostor = scramServer('some other password')
    const wire = scriptedWire([impostor.first, (sent) => xml('success', { xmlns: NS_SASL }, b64(impostor.final(sent)))])
    const error = await converse(begin(scramLink), wire).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'ConnectError', reason: 'server-auth' })
    expect((error as Error).message).toContain('impostor')
    expect((error as Error).message).not.toContain(CREDENTIALS.password)
  })

  it('fails, as server-auth, on a success without any proof', async () => {
    const server = scramServer(CREDENTIALS.password)
    const wire = scriptedWire([server.first, xml('success', { xmlns: NS_SASL })])
    await expect(converse(begin(scramLink), wire)).rejects.toMatchObject({ reason: 'server-auth' })
  })

  it('fails, as server-auth, on an absurd iteration count, without answering', async () => {
    const wire = scriptedWire([scramServer(CREDENTIALS.password, 2_000_000_000).first])
    const error = await converse(begin(scramLink), wire).catch((e: unknown) => e)
    expect(error).toMatchObject({ reason: 'server-auth' })
    expect((error as Error).message).toContain('2000000000 PBKDF2 iterations')
    expect(wire.sent.map((e) => e.name)).toEqual(['auth'])
  })

  it('fails, as auth, when the server refuses the credentials', async () => {
    const server = scramServer(CREDENTIALS.password)
    const wire = scriptedWire([server.first, xml('failure', { xmlns: NS_SASL }, xml('not-authorized'), xml('text', {}, 'Wrong password'))])
    await expect(converse(begin(scramLink), wire)).rejects.toMatchObject({ reason: 'auth', message: 'authentication failed (not-authorized: Wrong password)' })
  })

  it('on a refused binding that natter guessed (no XEP-0440 list), names XMPP_CHANNEL_BINDING=0 as the way out', async () => {
    const refusing = (l: LoginLink): Promise<Error> =>
      converse(begin(l), scriptedWire([xml('failure', { xmlns: NS_SASL }, xml('not-authorized'), xml('text', {}, 'Invalid channel binding'))])).then(
        () => new Error('expected a refusal'),
        (e: unknown) => e as Error,
      )
    const offered = ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']
    const guessed = await refusing(link({ offered, bindings: [TLS_EXPORTER] }))
    expect(guessed).toMatchObject({ reason: 'auth' })
    expect(guessed.message).toContain('may not take tls-exporter')
    expect(guessed.message).toContain('XMPP_CHANNEL_BINDING=0')
    const listed = await refusing(link({ offered, bindings: [TLS_EXPORTER], bindingTypes: ['tls-exporter'] }))
    expect(listed.message).toBe('authentication failed (not-authorized: Invalid channel binding)')
  })

  it('sends PLAIN credentials in the initial response, over TLS', async () => {
    const wire = scriptedWire([xml('success', { xmlns: NS_SASL })])
    await converse(begin(link({ offered: ['PLAIN'] })), wire)
    expect(wire.sent[0]?.attrs.mechanism).toBe('PLAIN')
    expect(unb64(wire.sent[0] as XmlElement)).toBe(`\0bot\0${CREDENTIALS.password}`)
  })
})

describe('SaslInbox', () => {
  it('hands over the elements in order, whether they came before or after the call', async () => {
    const inbox = new SaslInbox(new AbortController().signal)
    inbox.push(xml('challenge', {}, 'one'))
    inbox.push(xml('challenge', {}, 'two'))
    expect((await inbox.receive()).getText()).toBe('one')
    expect((await inbox.receive()).getText()).toBe('two')
    const later = inbox.receive()
    inbox.push(xml('success'))
    expect((await later).name).toBe('success')
  })

  it('fails a wait, and every later one, once its attempt has ended: nothing of a later connection reaches it', async () => {
    const attempt = new AbortController()
    const inbox = new SaslInbox(attempt.signal)
    const waiting = inbox.receive()
    attempt.abort(new Error('attempt ended'))
    await expect(waiting).rejects.toThrow('attempt ended')
    inbox.push(xml('challenge', {}, 'for the next connection'))
    await expect(inbox.receive()).rejects.toThrow('attempt ended')
    inbox.close()
  })
})
