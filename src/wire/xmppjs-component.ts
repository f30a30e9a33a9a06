// natter's second gateway to xmpp.js: an external component (XEP-0114) built from the @xmpp 0.14 parts the
// client is built from (@xmpp/component was last released for 0.13, as CommonJS on a second copy of them).
// It has the client's shape as far as xmppjs.ts uses it, so that the same patches apply; stream management,
// which a component's stream has none of, it has as an empty part.
//
// | xmpp.js                              | a component                                                          |
// | ------------------------------------ | -------------------------------------------------------------------- |
// | TCP, the XML stream                  | kept (@xmpp/connection-tcp), in the `jabber:component:accept` stream |
// | TLS, STARTTLS, DNS SRV               | none: the component port of a server, on its own network             |
// | SASL, resource binding               | replaced by the handshake (login/handshake.ts), run by natter        |
// | XEP-0198                             | none: nothing to resume, every link a new session                    |
// | middleware, IQ callee                | kept, as for the client                                              |
// | reconnect                            | none: the session retries with backoff (session.ts)                  |

import { EventEmitter } from 'node:events'
import type { Client, LtxElement, StreamManagement } from '@xmpp/client-core'
import Connection from '@xmpp/connection-tcp'
import iqCallee from '@xmpp/iq/callee.js'
import middleware from '@xmpp/middleware'
import { NS_COMPONENT_ACCEPT, NS_PING } from '../ns.js'

/** Where the component connects, as which domain, and how it proves it may. */
export interface ComponentOptions {
  /** `xmpp://host:port`: the server's component port. */
  service: string
  domain: string
  /** Answers the server's stream header, whose `id` the handshake hashes; a rejection fails the stream. */
  handshake(streamId: string): Promise<void>
}

/** A TCP stream in the component namespace: the stream header's xmlns is the connection's NS. */
class ComponentConnection extends Connection {}
ComponentConnection.prototype.NS = NS_COMPONENT_ACCEPT

/**
 * An external component's xmpp.js entity. `handshake` runs on each stream the server opens; once it
 * resolves, the entity is online as `domain`.
 *
 * @example
 * ```ts
 * const x = component({ service: 'xmpp://127.0.0.1:5347', domain: 'svc.example.org', handshake: (id) => login(id) })
 * ```
 */
export function component(options: ComponentOptions): Client {
  const entity = new ComponentConnection({ service: options.service, domain: options.domain })
  const mw = middleware({ entity })
  const callee = iqCallee({ middleware: mw, entity })
  callee.get(NS_PING, 'ping', () => ({}))
  entity.on('open', (header: LtxElement) => {
    options
      .handshake(header.attrs.id ?? '')
      .then(() => {
        entity._jid(options.domain)
        entity._status('online', entity.jid)
      })
      .catch((error: unknown) => entity.emit('error', error))
  })
  return Object.assign(entity, {
    middleware: mw,
    streamManagement: noStreamManagement(),
  }) as unknown as Client
}

/** Stream management as it stands on a stream that never enables it. */
function noStreamManagement(): StreamManagement {
  return Object.assign(new EventEmitter(), {
    enabled: false,
    enableSent: false,
    id: '',
    inbound: 0,
    outbound: 0,
    outbound_q: [],
    timeout: 0,
    requestAckInterval: 0,
  })
}
