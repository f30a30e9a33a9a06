import { ConnectError } from '../errors.js'
import { NS_ERRORS } from '../ns.js'
import type { XmppJsError } from './xmppjs.js'

/** Certificate checks that fail the same way on every attempt, until someone changes the server or the trust store. */
const TLS_TRUST_ERRORS: ReadonlySet<unknown> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

/**
 * Stream errors (RFC 6120, 4.9.3) that the next connection would meet again: the server does not serve the
 * domain, or does not speak this stream at all.
 */
const PERMANENT_STREAM_ERRORS: ReadonlySet<unknown> = new Set([
  'host-unknown',
  'host-gone',
  'improper-addressing',
  'invalid-from',
  'invalid-namespace',
  'unsupported-encoding',
  'unsupported-version',
])

/**
 * What a failure of the link means for the session: a refused login (`auth`), another client that took
 * over the resource (`conflict`), a server certificate that is not trusted (`tls`), a stream error that
 * stays (`refused`), all of which retrying will not fix, or anything else (`network`), which it may. A `ConnectError` is already classified.
 *
 * @example
 * ```ts
 * const error = classify(streamError)
 * if (error.reason !== 'network') giveUp(error)
 * ```
 */
export function classify(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error
  const e = error as Partial<XmppJsError> | null | undefined
  // How a server refuses a component's handshake (XEP-0114): a wrong secret, or a domain it has no component for.
  if (e?.name === 'StreamError' && e.condition === 'not-authorized') {
    return new ConnectError('auth', `the server refused the stream (not-authorized${e.text ? `: ${e.text}` : ''})`, { cause: error })
  }
  if (e?.name === 'StreamError' && e.condition === 'conflict') {
    return new ConnectError('conflict', 'another connection took over this resource (stream conflict)', { cause: error })
  }
  if (e?.name === 'StreamError' && PERMANENT_STREAM_ERRORS.has(e.condition)) {
    const why = e.condition === 'host-unknown' || e.condition === 'host-gone' ? ": it does not serve the JID's domain; check JID and XMPP_SERVICE" : ''
    return new ConnectError('refused', `the server refused the stream (${e.condition}${e.text ? `: ${e.text}` : ''})${why}`, { cause: error })
  }
  const message = e instanceof Error ? e.message : String(error)
  if (TLS_TRUST_ERRORS.has(e?.code)) {
    return new ConnectError('tls', `the server's TLS certificate is not trusted (${message})`, { cause: error })
  }
  return new ConnectError('network', message, { cause: error })
}

/**
 * Whether the server ended the stream over a stanza too big for it: `policy-violation` with the text "XML
 * stanza is too big" from Prosody and ejabberd alike, and from Prosody also `<stanza-too-big xmlns='urn:xmpp:errors'/>`.
 *
 * @example
 * ```ts
 * if (isTooBig(error)) lowerTheLimit()
 * ```
 */
export function isTooBig(error: Partial<XmppJsError> | null | undefined): boolean {
  if (error?.name !== 'StreamError' || error.condition !== 'policy-violation') return false
  return error.application?.is('stanza-too-big', NS_ERRORS) === true || /too (big|large)|size/i.test(error.text ?? '')
}
