import { NS_FALLBACK, NS_REACTIONS, NS_REPLY, NS_RETRACT, NS_RETRACT_0 } from '../../ns.js'
import type { XmlElement } from '../../xml.js'

/** The elements whose fallback text natter takes out of a body: it reads them as fields instead. */
const UNDERSTOOD: ReadonlySet<string | undefined> = new Set([NS_REPLY, NS_REACTIONS, NS_RETRACT, NS_RETRACT_0])

/**
 * The text the sender wrote, without what XEP-0428 marks as fallback for the elements natter reads (a
 * reply's quote, a reaction's or retraction's stand-in text): undefined when nothing else is left.
 * Ranges count code points, as XEP-0426 says; a fallback without ranges stands for the whole body.
 */
export function ownText(stanza: XmlElement): string | undefined {
  const body = stanza.getChildText('body') ?? undefined
  if (body === undefined) return undefined
  const fallbacks = stanza.getChildren('fallback', NS_FALLBACK).filter((f) => UNDERSTOOD.has(f.attrs.for))
  if (fallbacks.length === 0) return body
  const points = Array.from(body)
  const drop = new Array<boolean>(points.length).fill(false)
  for (const fallback of fallbacks) {
    const ranges = fallback.getChildren('body')
    if (ranges.length === 0) return undefined
    for (const range of ranges) {
      const start = bound(range.attrs.start, 0, points.length)
      const end = bound(range.attrs.end, points.length, points.length)
      for (let i = start; i < end; i++) drop[i] = true
    }
  }
  const kept = points.filter((_, i) => !drop[i]).join('')
  return kept === '' ? undefined : kept
}

/** An index attribute read within [0, max]; `fallback` when it is absent or not a number. */
function bound(value: string | undefined, fallback: number, max: number): number {
  const n = value === undefined ? Number.NaN : Number(value)
  return Number.isInteger(n) ? Math.min(Math.max(n, 0), max) : fallback
}
