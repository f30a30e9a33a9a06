import { ConfigError } from '../errors.js'

/**
 * Reads a duration in seconds: a positive number, fractions allowed.
 *
 * @example
 * ```ts
 * seconds('2.5', 'XMPP_PING_TIMEOUT') // 2.5
 * ```
 */
export function seconds(text: string, variable: string): number {
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(variable, `malformed "${text}"; expected a positive number of seconds`)
  return value
}

/**
 * Reads a positive number, fractions allowed.
 *
 * @example
 * ```ts
 * positiveNumber('0.5', 'XMPP_SEND_RATE') // 0.5
 * ```
 */
export function positiveNumber(text: string, variable: string): number {
  return positive(text, variable, false)
}

/**
 * Reads a positive whole number.
 *
 * @example
 * ```ts
 * positiveWholeNumber('65536', 'XMPP_MAX_STANZA_SIZE') // 65536
 * ```
 */
export function positiveWholeNumber(text: string, variable: string): number {
  return positive(text, variable, true)
}

function positive(text: string, variable: string, whole: boolean): number {
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
    throw new ConfigError(variable, `malformed "${text}"; expected a positive ${whole ? 'whole ' : ''}number`)
  }
  return value
}

/**
 * Reads yes or no in its usual spellings (1, true, yes, on; 0, false, no, off, in any case). Anything
 * else is an error, so that a typo never turns a setting on or off unseen.
 *
 * @example
 * ```ts
 * yesOrNo('YES', 'XMPP_ALLOW_INSECURE') // true
 * ```
 */
export function yesOrNo(text: string, variable: string): boolean {
  const value = text.toLowerCase()
  if (['0', 'false', 'no', 'off'].includes(value)) return false
  if (['1', 'true', 'yes', 'on'].includes(value)) return true
  throw new ConfigError(variable, `malformed "${text}"; expected 1 or 0`)
}

/**
 * Splits a comma-separated list, each entry trimmed, blank ones left out.
 *
 * @example
 * ```ts
 * commaList(' a.example, b.example ,') // ['a.example', 'b.example']
 * ```
 */
export function commaList(text: string): string[] {
  return listEntries(text.split(','))
}

/**
 * The entries of a list given in code, each trimmed, blank ones left out, as in a comma-separated variable.
 *
 * @example
 * ```ts
 * listEntries([' a.example', '']) // ['a.example']
 * ```
 */
export function listEntries(entries: readonly string[]): string[] {
  return entries.map((entry) => entry.trim()).filter((entry) => entry !== '')
}
