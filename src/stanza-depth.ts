import type { XmlElement } from './xml.js'

/**
 * How deep natter lets a stanza nest (the stanza itself is level 1). Real stanzas stay within a dozen
 * levels; the serializer of xmpp.js recurses, and a few thousand levels overflow the stack.
 */
export const MAX_STANZA_DEPTH = 64

/**
 * Whether `element` nests deeper than `max` levels. Walks without recursion, so any depth is safe,
 * and stops at the first element too deep.
 *
 * @example
 * ```ts
 * if (nestsDeeperThan(stanza, MAX_STANZA_DEPTH)) return refuse(stanza)
 * ```
 */
export function nestsDeeperThan(element: XmlElement, max: number): boolean {
  const stack: Array<[XmlElement, number]> = [[element, 1]]
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [node, depth] = top
    for (const child of node.children) {
      if (typeof child !== 'object' || child === null) continue
      if (depth + 1 > max) return true
      stack.push([child, depth + 1])
    }
  }
  return false
}

/**
 * Drops, in place, whatever nests deeper than `max` levels: the elements at level `max` lose their
 * children. Without recursion, like {@link nestsDeeperThan}.
 *
 * @example
 * ```ts
 * cutBelow(stanza, MAX_STANZA_DEPTH) // now safe to serialize
 * ```
 */
export function cutBelow(element: XmlElement, max: number): void {
  const stack: Array<[XmlElement, number]> = [[element, 1]]
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [node, depth] = top
    if (depth >= max) {
      node.children = []
      continue
    }
    for (const child of node.children) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
  }
}
