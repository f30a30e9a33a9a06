import { xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { ConnectError } from '../../src/errors.js'
import { NS_ERRORS } from '../../src/ns.js'
import { classify, isTooBig } from '../../src/wire/classify-error.js'

/** An error as xmpp.js raises one: an Error with the name of its kind and the condition the server sent. */
const xmppError = (name: string, fields: { condition?: string; text?: string; application?: ReturnType<typeof xml> }) =>
  Object.assign(new Error(fields.condition ?? name), { name, ...fields })

const socketError = (code: string) => Object.assign(new Error(`socket error ${code}`), { code })

describe('classify', () => {
  it('leaves a ConnectError as it is', () => {
    const error = new ConnectError('insecure', 'no TLS')
    expect(classify(error)).toBe(error)
  })

  it("calls a stream's not-authorized, a component's refused handshake, auth", () => {
    expect(classify(xmppError('StreamError', { condition: 'not-authorized' }))).toMatchObject({
      reason: 'auth',
      message: 'the server refused the stream (not-authorized)',
    })
  })

  it('calls a stream conflict, another client taking the resource, conflict', () => {
    expect(classify(xmppError('StreamError', { condition: 'conflict' })).reason).toBe('conflict')
  })

  it('calls a stream error the next connection would meet again refused, host-unknown with what to check', () => {
    const unknown = classify(xmppError('StreamError', { condition: 'host-unknown' }))
    expect(unknown.reason).toBe('refused')
    expect(unknown.message).toBe("the server refused the stream (host-unknown): it does not serve the JID's domain; check JID and XMPP_SERVICE")
    expect(classify(xmppError('StreamError', { condition: 'unsupported-version' })).reason).toBe('refused')
    for (const condition of ['system-shutdown', 'policy-violation', 'connection-timeout', 'reset']) {
      expect(classify(xmppError('StreamError', { condition })).reason).toBe('network')
    }
  })

  it('calls an untrusted server certificate tls, whatever the check that failed', () => {
    for (const code of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
      const classified = classify(socketError(code))
      expect(classified.reason).toBe('tls')
      expect(classified.message).toBe(`the server's TLS certificate is not trusted (socket error ${code})`)
    }
  })

  it('calls anything else network, which retrying may fix', () => {
    expect(classify(socketError('ECONNREFUSED'))).toMatchObject({ reason: 'network', message: 'socket error ECONNREFUSED' })
    expect(classify(xmppError('StreamError', { condition: 'system-shutdown' })).reason).toBe('network')
    expect(classify(xmppError('StreamError', { condition: 'policy-violation', text: 'XML stanza is too big' })).reason).toBe('network')
    expect(classify('timed out')).toMatchObject({ reason: 'network', message: 'timed out' })
    expect(classify(undefined)).toMatchObject({ reason: 'network', message: 'undefined' })
  })
})

describe('isTooBig', () => {
  it("spots Prosody's and ejabberd's policy-violation over a stanza too big, by its text or by Prosody's condition", () => {
    expect(isTooBig(xmppError('StreamError', { condition: 'policy-violation', text: 'XML stanza is too big' }))).toBe(true)
    expect(isTooBig(xmppError('StreamError', { condition: 'policy-violation', text: 'Stanza size limit exceeded' }))).toBe(true)
    expect(isTooBig(xmppError('StreamError', { condition: 'policy-violation', application: xml('stanza-too-big', { xmlns: NS_ERRORS }) }))).toBe(true)
  })

  it('takes no other policy violation, no other condition and no other kind of error for one', () => {
    expect(isTooBig(xmppError('StreamError', { condition: 'policy-violation', text: 'you are sending too fast' }))).toBe(false)
    expect(isTooBig(xmppError('StreamError', { condition: 'policy-violation', application: xml('stanza-too-big', { xmlns: 'urn:x' }) }))).toBe(false)
    expect(isTooBig(xmppError('StreamError', { condition: 'not-well-formed', text: 'XML stanza is too big' }))).toBe(false)
    expect(isTooBig(xmppError('Error', { condition: 'policy-violation', text: 'too big' }))).toBe(false)
    expect(isTooBig(undefined)).toBe(false)
  })
})
