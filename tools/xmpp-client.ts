// The small, typed part of @xmpp/client 0.14 that the tools and the test peer use. The package ships no types
// and DefinitelyTyped's are wrong in places; this view is independent of whatever declaration src/ keeps.
// @ts-ignore -- keeps compiling should no declaration for the package be in scope; narrowed below either way
import * as untyped from '@xmpp/client'

/** An ltx element, as @xmpp/client builds and parses them. */
export interface XmlElement {
  name: string
  attrs: Record<string, string | undefined>
  children: Array<XmlElement | string>
  is(name: string, xmlns?: string): boolean
  getChild(name: string, xmlns?: string): XmlElement | undefined
  getChildren(name: string, xmlns?: string): XmlElement[]
  getChildElements(): XmlElement[]
  getChildText(name: string, xmlns?: string): string | null
  getText(): string
  toString(): string
}

export type XmlChild = XmlElement | string | null | undefined | false

export interface Jid {
  toString(): string
}

export type IqAnswer = XmlElement | object

export interface ClientOptions {
  service: string
  domain?: string
  username?: string
  password?: string
  resource?: string
  timeout?: number
}

export interface XmppClient {
  readonly reconnect: { stop(): void }
  /** Answers IQs: a handler's element becomes the result's child, any other truthy value an empty result. */
  readonly iqCallee: {
    get(xmlns: string, name: string, handler: () => IqAnswer | Promise<IqAnswer>): void
    set(xmlns: string, name: string, handler: () => IqAnswer | Promise<IqAnswer>): void
  }
  start(): Promise<Jid>
  stop(): Promise<void>
  send(...elements: XmlElement[]): Promise<void>
  on(event: 'stanza', listener: (stanza: XmlElement) => void): this
  on(event: 'error', listener: (error: Error) => void): this
  on(event: 'disconnect', listener: (info: { clean: boolean; reason?: unknown }) => void): this
  on(event: 'element', listener: (element: XmlElement) => void): this
  off(event: 'element', listener: (element: XmlElement) => void): this
}

interface XmppClientModule {
  client(options: ClientOptions): XmppClient
  xml(name: string, attrs?: Record<string, string | undefined> | null, ...children: XmlChild[]): XmlElement
}

const xmppClient = untyped as unknown as XmppClientModule

export const client = xmppClient.client
export const xml = xmppClient.xml

/** Resolves when the promise settles or after `ms`, whichever comes first; for best-effort cleanup. */
export async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms)
    }),
  ])
  clearTimeout(timer)
}

const SM_NS = 'urn:xmpp:sm:3'

/**
 * start(), then wait for stream management (XEP-0198) to be negotiated when the server offers it. xmpp.js 0.14
 * goes online before <enable/> is answered; a stanza sent in that gap makes it miscount inbound stanzas, and
 * Prosody then closes the stream ("Client acknowledged more stanzas than sent by server").
 */
export async function startSettled(xmpp: XmppClient, ms = 5_000): Promise<Jid> {
  let offered = false
  let settle!: () => void
  const settled = new Promise<void>((resolve) => (settle = resolve))
  const onElement = (element: XmlElement): void => {
    if (element.name === 'stream:features' && element.getChild('sm', SM_NS)) offered = true
    if (element.is('enabled', SM_NS) || element.is('failed', SM_NS)) settle()
  }
  xmpp.on('element', onElement)
  try {
    const jid = await xmpp.start()
    if (offered) {
      await within(settled, ms)
      // Let xmpp.js handle <enabled/> (it resets its counter there) before anything else is sent.
      await new Promise((resolve) => setImmediate(resolve))
    }
    return jid
  } finally {
    xmpp.off('element', onElement)
  }
}
