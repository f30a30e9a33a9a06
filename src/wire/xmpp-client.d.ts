// The few parts of @xmpp/* 0.14 that wire/xmppjs.ts, its client and component, and xml.ts use, typed from their
// source: the community types are incomplete (no `.on('resumed')` on stream management) and partly wrong.

declare module '@xmpp/client-core' {
  import type { EventEmitter } from 'node:events'

  export interface LtxElement {
    name: string
    attrs: Record<string, string | undefined>
    children: Array<LtxElement | string>
    parent: LtxElement | null
    is(name: string, xmlns?: string): boolean
    getNS(): string | undefined
    getChild(name: string, xmlns?: string): LtxElement | undefined
    getChildren(name: string, xmlns?: string): LtxElement[]
    getChildElements(): LtxElement[]
    getChildText(name: string, xmlns?: string): string | null
    getText(): string
    text(): string
    append(...children: Array<LtxElement | string>): LtxElement
    c(name: string, attrs?: Record<string, string | undefined>): LtxElement
    t(text: string): LtxElement
    up(): LtxElement
    toString(): string
  }

  export type XmlChild = LtxElement | string | undefined | null | false | XmlChild[]
  export function xml(name: string, attrs?: Record<string, string | number | undefined> | null, ...children: XmlChild[]): LtxElement

  export interface XmppError extends Error {
    condition?: string
    text?: string
    /** The application-specific condition, if the error carries one. */
    application?: LtxElement
    element?: LtxElement
  }

  export interface StreamManagement extends EventEmitter {
    enabled: boolean
    /** Set once `<enable/>` is sent; stanzas sent from then on are queued for an ack. */
    enableSent: boolean
    id: string
    inbound: number
    outbound: number
    /** What was sent and not yet acknowledged; natter adds to each item where it starts in the stream and when it was sent. */
    outbound_q: Array<{ stanza: LtxElement; stamp: string; start?: number; at?: number }>
    timeout: number
    requestAckInterval: number
  }

  export interface XmppSocket {
    destroy?(): void
    /** The wrapped tls socket of @xmpp/tls, which has no destroy() of its own. */
    socket?: { destroy(): void } | null
    once(event: 'close', listener: () => void): unknown
  }

  export interface MiddlewareContext {
    stanza: LtxElement
    name: string
    type: string
    id: string
  }

  export interface Client extends EventEmitter {
    status: string
    /** The socket while connected, null otherwise: a net or tls socket, or (xmpps://) a wrapper around one. */
    socket: XmppSocket | null
    jid: { toString(): string } | null
    options: { service?: string; domain?: string; lang?: string }
    timeout: number
    streamManagement: StreamManagement
    middleware: { use(fn: (ctx: MiddlewareContext, next: () => Promise<unknown>) => unknown): void }
    /** Whether the socket is a TLS one (direct TLS, or after STARTTLS). */
    isSecure(): boolean
    /** What the transport's socket connects with for `service` (host and port); undefined when it cannot take it. */
    socketParameters(service: string): Record<string, unknown> | undefined
    connect(service?: string): Promise<void>
    /** Opens a new stream on the same socket, as after STARTTLS or a login. */
    restart(): Promise<void>
    open(options: { domain?: string; lang?: string }): Promise<void>
    disconnect(): Promise<void>
    stop(): Promise<void>
    send(element: LtxElement): Promise<void>
    /** Used by stream management to send what a resumed session had not acknowledged. */
    sendMany(elements: LtxElement[]): Promise<void>
    /** The stream's root element, parent of every element sent. */
    root: LtxElement | null
    /** Hands what the socket read to the XML parser; bound when a socket is attached. */
    _onData(data: Buffer): void
    /** Sends the stream's end and waits up to `timeout` ms for the server's; part of `disconnect()`. */
    _closeStream(timeout?: number): Promise<unknown>
  }

  /** The client before any part is set up on it: the parts (xmppjs-client.ts) add the rest of {@link Client}. */
  export type BareClient = Omit<Client, 'middleware' | 'streamManagement'>
  export const Client: new (options: { service: string; domain: string }) => BareClient
  export function jid(local: string, domain: string): { toString(): string }
}

declare module '@xmpp/debug' {
  import type { LtxElement } from '@xmpp/client-core'
  export function hideSensitive(element: LtxElement): LtxElement
}

declare module '@xmpp/xml' {
  import type { LtxElement, XmlChild } from '@xmpp/client-core'
  export function xml(name: string, attrs?: Record<string, string> | null, ...children: XmlChild[]): LtxElement
}

declare module '@xmpp/connection-tcp' {
  import type { EventEmitter } from 'node:events'
  /** An XML stream over TCP, the base of the client's transport and of a component (xmppjs-component.ts). */
  export default class Connection extends EventEmitter {
    constructor(options: { service?: string; domain?: string })
    /** The stream header's xmlns. */
    NS: string
    jid: { toString(): string } | null
    /** Sets `jid` from a string. */
    _jid(id: string): unknown
    /** Sets the status and emits it, and an event of its name. */
    _status(status: string, ...args: unknown[]): void
  }
}

declare module '@xmpp/middleware' {
  import type { EventEmitter } from 'node:events'
  import type { Client } from '@xmpp/client-core'
  export default function middleware(parts: { entity: EventEmitter }): Client['middleware']
}

declare module '@xmpp/iq/callee.js' {
  import type { EventEmitter } from 'node:events'
  import type { Client } from '@xmpp/client-core'
  export default function iqCallee(parts: { middleware: Client['middleware']; entity: EventEmitter }): {
    get(ns: string, name: string, handler: () => unknown): void
  }
}

declare module '@xmpp/stream-features' {
  import type { Client, LtxElement } from '@xmpp/client-core'
  export interface StreamFeatures {
    /** Negotiates the feature `name` when the server offers it, in the order the handlers were added. */
    use(name: string, xmlns: string, handler: (ctx: { entity: Client }, next: () => Promise<void>, feature: LtxElement) => Promise<void>): void
  }
  export default function streamFeatures(parts: { middleware: Client['middleware'] }): StreamFeatures
}

declare module '@xmpp/iq/caller.js' {
  import type { EventEmitter } from 'node:events'
  import type { Client } from '@xmpp/client-core'
  /** Sends IQ requests and routes their replies back; resource binding uses it. */
  export interface IqCaller {
    readonly entity: EventEmitter
  }
  export default function iqCaller(parts: { middleware: Client['middleware']; entity: EventEmitter }): IqCaller
}

declare module '@xmpp/tcp' {
  import type { BareClient } from '@xmpp/client-core'
  export default function tcp(parts: { entity: BareClient }): void
}

declare module '@xmpp/tls' {
  import type { BareClient } from '@xmpp/client-core'
  export default function tls(parts: { entity: BareClient }): void
}

declare module '@xmpp/resolve' {
  import type { BareClient } from '@xmpp/client-core'
  /** Lets `connect()` take a bare domain, which it looks up in DNS SRV. */
  export default function resolve(parts: { entity: BareClient }): void
}

declare module '@xmpp/starttls' {
  import type { StreamFeatures } from '@xmpp/stream-features'
  export default function starttls(parts: { streamFeatures: StreamFeatures }): void
}

declare module '@xmpp/stream-management' {
  import type { EventEmitter } from 'node:events'
  import type { Client, StreamManagement } from '@xmpp/client-core'
  import type { StreamFeatures } from '@xmpp/stream-features'
  export default function streamManagement(parts: { streamFeatures: StreamFeatures; entity: EventEmitter; middleware: Client['middleware'] }): StreamManagement
}

declare module '@xmpp/resource-binding' {
  import type { IqCaller } from '@xmpp/iq/caller.js'
  import type { StreamFeatures } from '@xmpp/stream-features'
  /** Binds `resource`, or one the server assigns when it is undefined. */
  export default function resourceBinding(parts: { iqCaller: IqCaller; streamFeatures: StreamFeatures }, resource: string | undefined): void
}
