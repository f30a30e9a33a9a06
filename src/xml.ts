// The element model natter shares with the wire: ltx elements from @xmpp/xml, typed here. With
// wire/xmppjs.ts, the only module that imports @xmpp/*.
import { xml as ltxXml } from '@xmpp/xml'

/**
 * An XML element, as natter hands stanzas to handlers and takes them from {@link xml}.
 *
 * @example
 * ```ts
 * const body = ctx.stanza.getChildText('body')
 * ```
 */
export interface XmlElement {
  name: string
  attrs: Record<string, string | undefined>
  children: Array<XmlElement | string>
  is(name: string, xmlns?: string): boolean
  getNS(): string | undefined
  getChild(name: string, xmlns?: string): XmlElement | undefined
  getChildren(name: string, xmlns?: string): XmlElement[]
  getChildElements(): XmlElement[]
  getChildText(name: string, xmlns?: string): string | null
  getText(): string
  append(...children: Array<XmlElement | string>): XmlElement
  toString(): string
}

/**
 * What {@link xml} accepts as children: elements, text, and nothing (skipped), nested freely.
 *
 * @example
 * ```ts
 * const children: XmlChild[] = [xml('body', {}, text), urgent && xml('urgent', { xmlns: 'urn:example:flags' })]
 * ```
 */
export type XmlChild = XmlElement | string | undefined | null | false | XmlChild[]

/**
 * Builds an XML element.
 *
 * @example
 * ```ts
 * bot.send(xml('message', { to: 'alice@example.org', type: 'chat' }, xml('body', {}, 'Hi!')))
 * ```
 */
export function xml(name: string, attrs?: Record<string, string | number | undefined> | null, ...children: XmlChild[]): XmlElement {
  return ltxXml(name, withoutUndefined(attrs), ...(children as Parameters<typeof ltxXml>[2][]))
}

function withoutUndefined(attrs: Record<string, string | number | undefined> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (attrs) for (const [key, value] of Object.entries(attrs)) if (value !== undefined) out[key] = String(value)
  return out
}
