import { parseJid } from '../jid.js'

/**
 * The fields of a stanza kind a route can be filed under, most selective first: a route goes under the
 * first of them that its guards pin to fixed values. JID fields are keyed by bare JID, as guards compare them.
 */
export interface IndexedKind {
  readonly indexed: readonly string[]
  readonly jidFields: readonly string[]
}

interface Field<R> {
  readonly name: string
  readonly jid: boolean
  readonly byValue: Map<unknown, R[]>
}

/**
 * The routes of one stanza kind, arranged so that a stanza only meets those that could match it. A route
 * whose guards pin a field to fixed values (`type: 'chat'`, `xmlns: 'urn:xmpp:time'`, `from: 'alice@example.org'`)
 * is filed under each of those values; any other route (RegExp, predicate or presence tests only, a function
 * guard, no guard) goes to a list every stanza sees. `candidates()` merges the routes filed under the stanza's
 * values with that list, in registration order, so the router's rules hold as they are: the candidates still
 * run their guards, and a route left out is one whose guards could not have matched.
 */
export class RouteIndex<R extends { readonly order: number }> {
  readonly #loose: R[] = []
  readonly #fields: readonly Field<R>[]

  constructor(kind: IndexedKind) {
    this.#fields = kind.indexed.map((name) => ({ name, jid: kind.jidFields.includes(name), byValue: new Map() }))
  }

  /**
   * Adds a route, registered after every route added before. `guards` are those its matcher was compiled
   * from (already validated); undefined files it with the routes every stanza sees.
   */
  add(route: R, guards: unknown): void {
    for (const field of this.#fields) {
      const values = pinnedValues(guards, field.name, field.jid)
      if (values === undefined) continue
      for (const value of new Set(values)) {
        const routes = field.byValue.get(value)
        if (routes) routes.push(route)
        else field.byValue.set(value, [route])
      }
      return
    }
    this.#loose.push(route)
  }

  /** The routes that could match `ctx`, in registration order. */
  candidates(ctx: object): readonly R[] {
    let found: readonly R[] = this.#loose
    for (const field of this.#fields) {
      if (field.byValue.size === 0) continue
      const value = (ctx as Record<string, unknown>)[field.name]
      const key = field.jid ? bareKey(value) : value
      const routes = field.byValue.get(key)
      if (routes) found = found.length === 0 ? routes : merge(found, routes)
    }
    return found
  }
}

/**
 * The values `guards` allow for `field`, when every alternative pins it to plain values; undefined when some
 * alternative lets other values through. Mirrors compileGuards: a plain value is compared with `===` (a JID
 * by its bare form, the only part every match of it shares), an array is any of its patterns, and `true`,
 * RegExps and predicates accept values that cannot be listed.
 */
function pinnedValues(guards: unknown, field: string, jid: boolean): unknown[] | undefined {
  const values: unknown[] = []
  for (const guard of Array.isArray(guards) ? guards : [guards]) {
    if (guard === null || typeof guard !== 'object') return undefined
    const pattern = Object.entries(guard).find(([name]) => name === field)?.[1]
    const allowed = pattern === undefined ? undefined : patternValues(pattern, jid)
    if (allowed === undefined) return undefined
    values.push(...allowed)
  }
  return values
}

function patternValues(pattern: unknown, jid: boolean): unknown[] | undefined {
  if (pattern === true || pattern instanceof RegExp || typeof pattern === 'function') return undefined
  if (!Array.isArray(pattern)) return [jid && typeof pattern === 'string' ? parseJid(pattern)?.bare : pattern]
  const values: unknown[] = []
  for (const alternative of pattern) {
    const allowed = patternValues(alternative, jid)
    if (allowed === undefined) return undefined
    values.push(...allowed)
  }
  return values
}

/**
 * The bare JID of a valid JID, as parseJid gives it (local part and domain lower-cased), without checking
 * that it is valid: an invalid one only costs its candidates their guards, which then fail.
 */
function bareKey(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const slash = value.indexOf('/')
  return (slash === -1 ? value : value.slice(0, slash)).toLowerCase()
}

/** Two lists in registration order, as one. */
function merge<R extends { readonly order: number }>(a: readonly R[], b: readonly R[]): R[] {
  const out: R[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) out.push((a[i] as R).order < (b[j] as R).order ? (a[i++] as R) : (b[j++] as R))
  while (i < a.length) out.push(a[i++] as R)
  while (j < b.length) out.push(b[j++] as R)
  return out
}
