import type { XmlElement } from '../xml.js'

/** What an element costs beyond its names and text: the object, its attribute map, its child list. */
const ELEMENT_OVERHEAD = 64

/**
 * Roughly what a parsed stanza holds in memory, in bytes: its names, attributes and text, plus a little
 * for each element. Walks without recursion (a stanza may nest deep), once per stanza; a bound on
 * stanzas that wait needs the weight of each, not only their number.
 *
 * @example
 * ```ts
 * if (stanzaBytes(ctx.stanza) > 64 * 1024) return refuse(ctx)
 * ```
 */
export function stanzaBytes(stanza: XmlElement): number {
  let bytes = 0
  const stack: XmlElement[] = [stanza]
  for (let node = stack.pop(); node; node = stack.pop()) {
    bytes += ELEMENT_OVERHEAD + node.name.length
    for (const [name, value] of Object.entries(node.attrs)) bytes += name.length + String(value ?? '').length
    for (const child of node.children) {
      if (typeof child === 'string') bytes += child.length
      else if (typeof child === 'object' && child !== null) stack.push(child)
    }
  }
  return bytes
}
