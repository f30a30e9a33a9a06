import type { XmlElement } from './xml.js'

/**
 * How an inbound IQ get/set is answered: with a result (and its optional child), or with an
 * `<error/>` element. `undefined` answers `service-unavailable`. Shared by the wire, which writes the
 * answer, and dispatch, which computes it, so it lives below both.
 *
 * @example
 * ```ts
 * const answer = (outcome: Outcome): IqAnswer => (outcome.handled ? { result: undefined } : undefined)
 * ```
 */
export type IqAnswer = { result: XmlElement | undefined } | { error: XmlElement } | undefined
