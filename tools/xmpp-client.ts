// The small, typed part of @xmpp/client 0.14 that the tools and the test peer use. The package ships no types
// and DefinitelyTyped's are wrong in places; this view is independent of whatever declaration src/ keeps.
// @ts-ignore -- resolves to `any` when no declaration is in scope (test files); narrowed below either way
import * as untyped from '@xmpp/client';

/** An ltx element, as @xmpp/client builds and parses them. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string | undefined>;
  children: Array<XmlElement | string>;
  is(name: string, xmlns?: string): boolean;
  getChild(name: string, xmlns?: string): XmlElement | undefined;
  getChildren(name: string, xmlns?: string): XmlElement[];
  getChildElements(): XmlElement[];
  getChildText(name: string, xmlns?: string): string | null;
  getText(): string;
  toString(): string;
}

export type XmlChild = XmlElement | string | null | undefined | false;

export interface Jid {
  local: string;
  domain: string;
  resource: string;
  bare(): Jid;
  toString(): string;
}

export interface ClientOptions {
  service: string;
  domain?: string;
  username?: string;
  password?: string;
  resource?: string;
  timeout?: number;
}

export interface XmppClient {
  readonly jid: Jid | null;
  readonly status: string;
  readonly reconnect: { stop(): void };
  start(): Promise<Jid>;
  stop(): Promise<void>;
  send(...elements: XmlElement[]): Promise<void>;
  on(event: 'stanza', listener: (stanza: XmlElement) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'online', listener: (jid: Jid) => void): this;
  on(event: 'offline', listener: () => void): this;
  on(event: 'disconnect', listener: (info: { clean: boolean; reason?: unknown }) => void): this;
  on(event: 'status', listener: (status: string) => void): this;
}

interface XmppClientModule {
  client(options: ClientOptions): XmppClient;
  xml(name: string, attrs?: Record<string, string | undefined> | null, ...children: XmlChild[]): XmlElement;
}

const xmppClient = untyped as unknown as XmppClientModule;

export const client = xmppClient.client;
export const xml = xmppClient.xml;

/** Resolves when the promise settles or after `ms`, whichever comes first; for best-effort cleanup. */
export async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
