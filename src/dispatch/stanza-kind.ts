import type { IqAnswer } from '../iq-answer.js'
import type { XmlElement } from '../xml.js'
import type { ContextLink, StanzaContext } from './context/stanza-context.js'

/**
 * What a handler chain did with a stanza: whether a handler took it, what that handler returned, or what was thrown.
 *
 * @example
 * ```ts
 * const answer = (outcome: Outcome): IqAnswer => (outcome.handled ? { result: undefined } : undefined)
 * ```
 */
export interface Outcome {
  readonly handled: boolean
  readonly value: unknown
  readonly error?: unknown
}

export type { IqAnswer } from '../iq-answer.js'

/**
 * One stanza kind, described once: the fields its guards test, how its routes are indexed, and how
 * its context is made. The registration method of the kind, the context's `kind`, the guard checks
 * and the route index all read it, so they cannot disagree.
 *
 * @example
 * ```ts
 * const headline = defineKind({
 *   name: 'headline', element: 'message', fields: ['from', 'body'], indexed: ['from'], jidFields: ['from'],
 *   accepts: (stanza) => stanza.attrs.type === 'headline',
 *   create: (stanza, link) => new HeadlineContext(stanza, link),
 * })
 * ```
 */
export interface StanzaKind<C extends StanzaContext = StanzaContext, F extends string = string> {
  /** The name handlers register under, and the context's `kind`. */
  readonly name: C['kind']
  /** The stanza element this kind is carved out of. */
  readonly element: 'message' | 'presence' | 'iq'
  /** The fields guards may test. */
  readonly fields: readonly F[]
  /** The fields routes are indexed by when their guards pin them to fixed values, most selective first. */
  readonly indexed: readonly F[]
  /** The fields holding JIDs: a bare JID pattern matches every resource, and case is ignored where XMPP ignores it. */
  readonly jidFields: readonly F[]
  /**
   * Fields whose stanzas reach only the handlers whose guards name them: a message's `correction`
   * would otherwise run a command again.
   */
  readonly optIn?: readonly F[]
  /** Whether a stanza of `element` is of this kind. Kinds defined later are asked first. */
  accepts(stanza: XmlElement): boolean
  /**
   * The context for a stanza of this kind. Throwing a `StanzaError` refuses the stanza (an IQ is
   * answered with the error); returning undefined drops it.
   */
  create(stanza: XmlElement, link: ContextLink): C | undefined
  /**
   * For IQ kinds: the answer once the handlers are done. Default: a handler's element as the result,
   * `service-unavailable` when none took it, the `StanzaError` thrown, else `internal-server-error`.
   */
  answer?(outcome: Outcome): IqAnswer
}

/**
 * Declares a stanza kind, keeping its field names as literal types.
 *
 * @example
 * ```ts
 * const kind = defineKind({ name: 'presence', element: 'presence', fields: ['from'], indexed: ['from'], jidFields: ['from'], accepts: () => true, create })
 * ```
 */
export function defineKind<C extends StanzaContext, const F extends string>(kind: StanzaKind<C, F>): StanzaKind<C, F> {
  return kind
}

/** The kinds a bot knows, by element; sorts inbound stanzas to the kind that takes them. */
export class KindRegistry {
  readonly #byName = new Map<string, StanzaKind>()
  readonly #byElement = new Map<string, StanzaKind[]>()

  define(kind: StanzaKind): void {
    if (this.#byName.has(kind.name)) throw new TypeError(`the stanza kind "${kind.name}" is defined twice`)
    this.#byName.set(kind.name, kind)
    const list = this.#byElement.get(kind.element) ?? []
    // The newest first: a kind carved out of a wider one (a roster push out of IQs) takes its stanzas.
    this.#byElement.set(kind.element, [kind, ...list])
  }

  get(name: string): StanzaKind | undefined {
    return this.#byName.get(name)
  }

  /** The kind that takes a stanza, if any. */
  sort(stanza: XmlElement): StanzaKind | undefined {
    const kinds = this.#byElement.get(stanza.name)
    if (!kinds) return undefined
    for (const kind of kinds) if (kind.accepts(stanza)) return kind
    return undefined
  }
}
