/**
 * A value the store keeps: what JSON can hold, and what comes back from it unchanged.
 *
 * @example
 * ```ts
 * const todo: JsonValue = { items: ['milk', 'eggs'], updated: '2026-01-05T10:00:00.000Z' }
 * ```
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined }

/**
 * The JSON text of a value for the key `key`, checked to come back from JSON unchanged: a function,
 * a symbol, a bigint, `undefined` in an array or as the value, a number that is not finite, a Date,
 * a Map or any object that is not plain, and a cycle are a `TypeError` naming where in the value it is.
 * Properties whose value is `undefined` are left out, as JSON leaves them.
 */
export function toJsonText(key: string, value: unknown): string {
  const problem = notJson(value, 'value', new Set())
  if (problem !== undefined) throw new TypeError(`store: "${key}" cannot be stored: ${problem}`)
  return JSON.stringify(value)
}

function notJson(value: unknown, path: string, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON cannot hold`
    case 'object':
      break
    default:
      return `${path} is a ${typeof value}, not JSON`
  }
  if (value === null) return undefined
  if (seen.has(value)) return `${path} refers back to itself (a cycle)`
  const proto: unknown = Object.getPrototypeOf(value)
  if (Array.isArray(value)) {
    seen.add(value)
    for (const [i, item] of value.entries()) {
      const problem = item === undefined ? `${path}[${i}] is undefined, which JSON turns into null` : notJson(item, `${path}[${i}]`, seen)
      if (problem !== undefined) return problem
    }
    seen.delete(value)
    return undefined
  }
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'an object'
    const hint = value instanceof Date ? ' (store date.toISOString() instead)' : ''
    return `${path} is a ${name}, not a plain object${hint}`
  }
  seen.add(value)
  for (const [name, item] of Object.entries(value)) {
    if (item === undefined) continue
    const problem = notJson(item, `${path}.${name}`, seen)
    if (problem !== undefined) return problem
  }
  seen.delete(value)
  return undefined
}
