// The client xmppjs.ts runs on, assembled from the @xmpp 0.14 parts natter keeps, as `client()` of @xmpp/client
// assembles them, in the same order (the order of `streamFeatures.use` is the order of the negotiation), minus
// what natter never uses: `client()` loads the WebSocket transport, SASL2, FAST, bind2 and four SASL mechanisms
// whatever the service, 22 modules and 2-3 MB of a bot's memory for code that natter, on TCP and logging in
// itself, never runs (BENCHMARKS.md, issue 21).
//
// | @xmpp/client 0.14                        | here                                                               |
// | ---------------------------------------- | ------------------------------------------------------------------ |
// | TCP, TLS, DNS SRV, the XML stream        | kept: @xmpp/tcp, @xmpp/tls, @xmpp/resolve, @xmpp/client-core       |
// | STARTTLS, resource binding, XEP-0198     | kept: @xmpp/starttls, resource-binding, stream-management          |
// | middleware, IQ caller and callee, ping   | kept: @xmpp/middleware, @xmpp/iq                                   |
// | WebSocket                                | left out: natter connects over TCP only (xmpp://, xmpps://, SRV)   |
// | SASL: its feature, mechanisms; SASL2     | replaced: natter logs in (stream-login.ts) at `<mechanisms/>`      |
// | FAST, bind2, the user agent              | left out: parts of SASL2                                           |
// | reconnect                                | left out: the session retries with backoff (session.ts)            |

import type { Client } from '@xmpp/client-core'
import { Client as Entity, jid } from '@xmpp/client-core'
import iqCallee from '@xmpp/iq/callee.js'
import iqCaller from '@xmpp/iq/caller.js'
import middleware from '@xmpp/middleware'
import resolve from '@xmpp/resolve'
import resourceBinding from '@xmpp/resource-binding'
import starttls from '@xmpp/starttls'
import streamFeatures from '@xmpp/stream-features'
import streamManagement from '@xmpp/stream-management'
import tcp from '@xmpp/tcp'
import tls from '@xmpp/tls'
import { NS_PING, NS_SASL } from '../ns.js'

/** Where and as whom the client connects, and how it logs in. */
export interface ClientOptions {
  service: string
  domain: string
  username: string
  /** Undefined: the server assigns one. */
  resource: string | undefined
  /** Logs in over the stream negotiated so far, when the server offers SASL; a rejection fails the negotiation. */
  logIn(): Promise<void>
}

/**
 * An xmpp.js client over TCP or TLS that logs in with `logIn`, with no reconnect loop: natter decides when
 * to connect again.
 *
 * @example
 * ```ts
 * const x = client({ service: 'xmpp://127.0.0.1:5222', domain: 'example.org', username: 'bot', resource: undefined, logIn })
 * ```
 */
export function client(options: ClientOptions): Client {
  const { service, domain } = options
  const entity = new Entity({ service, domain })
  // The stream header names the account once the stream is encrypted (RFC 6120, 4.7.1).
  entity.jid = jid(options.username, domain)
  tcp({ entity })
  tls({ entity })
  const mw = middleware({ entity })
  const features = streamFeatures({ middleware: mw })
  const caller = iqCaller({ middleware: mw, entity })
  const callee = iqCallee({ middleware: mw, entity })
  resolve({ entity })
  starttls({ streamFeatures: features })
  // Where @xmpp/sasl would pick a mechanism and run it: natter decides and runs the dialogue (stream-login.ts).
  features.use('mechanisms', NS_SASL, async ({ entity: self }) => {
    await options.logIn()
    await self.restart()
  })
  const sm = streamManagement({ streamFeatures: features, entity, middleware: mw })
  resourceBinding({ iqCaller: caller, streamFeatures: features }, options.resource)
  callee.get(NS_PING, 'ping', () => ({}))
  return Object.assign(entity, { middleware: mw, streamManagement: sm })
}
