import { parseJid } from '../jid.js'

/**
 * A pattern for one field of a stanza:
 * - a plain value: the field must equal it (for JID fields such as `from`, `to` and `room`, a bare JID
 *   also matches every resource of that JID, and case does not matter where XMPP ignores it; for a
 *   list field such as a roster item's `groups`, the list must contain it);
 * - a RegExp: the field must match it, and the match reaches the handler as `ctx.match`;
 * - an array: any of its patterns;
 * - a function: a predicate, called only when the field is present;
 * - `true`: the field must be present (and, for a flag such as `mentioned`, true).
 *
 * @example
 * ```ts
 * bot.message({ type: ['chat', 'normal'], body: /^ping\b/i, from: (jid) => jid.endsWith('@example.org') }, handler)
 * ```
 */
export type FieldPattern<T> = T | RegExp | true | ((value: T) => boolean) | readonly FieldPattern<T>[]

/**
 * A guard over the fields `F` of context `C`. Every field given must match (AND).
 *
 * @example
 * ```ts
 * const fromAlice: GuardObject<MessageContext, 'from'> = { from: /^alice@/ }
 * ```
 */
export type GuardObject<C, F extends keyof C> = { readonly [K in F]?: FieldPattern<Item<NonNullable<C[K]>>> }

/** A list field is guarded by its items. */
type Item<T> = T extends readonly (infer E)[] ? E : T

/**
 * A guard object, or a predicate over the whole context.
 *
 * @example
 * ```ts
 * const fromStaff: Guard<MessageContext, MessageField> = (msg) => msg.from.endsWith('@staff.example.org')
 * ```
 */
export type Guard<C, F extends keyof C> = GuardObject<C, F> | ((ctx: C) => boolean)

/**
 * One guard, or a list of guards of which any may match (OR).
 *
 * @example
 * ```ts
 * const greeting: Guards<MessageContext, MessageField> = [{ body: /^hi\b/i }, { body: /^hello\b/i }]
 * ```
 */
export type Guards<C, F extends keyof C> = Guard<C, F> | readonly Guard<C, F>[]

/**
 * The patterns inside (nested) arrays. The depth is bounded because FieldPattern nests itself: while a
 * function guard is inferred, TypeScript expands the bare constraint and would otherwise recurse forever.
 */
type Elem<P, Depth extends unknown[] = []> = Depth['length'] extends 4 ? P : P extends readonly (infer E)[] ? Elem<E, [...Depth, E]> : P

/** What a field's type becomes once the pattern `P` has matched it: present, and literal when `P` lists only values. */
type NarrowField<V, P> = [Extract<Elem<P>, RegExp | true | ((value: never) => boolean)>] extends [never]
  ? NonNullable<V> & Elem<P>
  : Exclude<NonNullable<V>, false>

/** Whether a pattern is RegExps only: then its match always reaches the handler (a value among them would match without one). */
type OnlyRegExp<P> = [Elem<P>] extends [never] ? false : [Exclude<Elem<P>, RegExp>] extends [never] ? true : false

/** Fields that hold JIDs: a pattern matches more than one value, so they never narrow to it. */
type JidField = 'from' | 'to' | 'room' | 'jid' | 'realJid'

/**
 * Per context kind, the fields a pattern makes present besides its own: `{ field: { value: fields } }`,
 * where `value` is a literal the pattern pins the field to, or `true`. Each context module adds its
 * kind's entry by declaration merging.
 *
 * @example
 * ```ts
 * declare module 'natter' { interface ImpliedFields { message: { type: { groupchat: 'room' } } } }
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging
export interface ImpliedFields {}

/** The key a single pattern looks up in an {@link ImpliedFields} entry. */
type PatternKey<P> = P extends true ? 'true' : P extends string ? P : never

/** The fields that the patterns of `G` imply for a context of kind `K`. */
type ImpliedBy<K, G> = K extends keyof ImpliedFields
  ? {
      [F in keyof G & keyof ImpliedFields[K]]: PatternKey<G[F]> extends infer P extends keyof ImpliedFields[K][F] ? ImpliedFields[K][F][P] : never
    }[keyof G & keyof ImpliedFields[K]]
  : never

type Implied<C, G> = [ImpliedBy<C extends { readonly kind: infer K } ? K : never, G>] extends [never]
  ? unknown
  : { readonly [F in ImpliedBy<C extends { readonly kind: infer K } ? K : never, G> & keyof C]-?: NonNullable<C[F]> }

type HasRegExp<G> = true extends { [K in keyof G]: OnlyRegExp<G[K]> }[keyof G] ? true : false

// A pattern that may be undefined narrows nothing: dispatch skips it, and TypeScript adds `field?: undefined`
// to the other guards of a list that lack a field one of them has.
type NarrowOne<C, G> = G extends (ctx: C) => boolean
  ? C
  : C & {
      readonly [K in keyof G & keyof C as undefined extends G[K] ? never : K]-?: K extends JidField
        ? NonNullable<C[K]>
        : NonNullable<C[K]> extends readonly unknown[]
          ? NonNullable<C[K]>
          : NarrowField<C[K], G[K]>
    } & Implied<C, G> &
      (HasRegExp<G> extends true ? { readonly match: RegExpMatchArray } : unknown)

/**
 * The context a handler sees once its guards matched: required fields become present, literal values
 * narrow the field's type, and a RegExp adds `match`.
 *
 * @example
 * ```ts
 * type Chat = Narrow<MessageContext, { type: 'chat'; body: true }> // ctx.type: 'chat', ctx.body: string
 * ```
 */
export type Narrow<C, G> = G extends readonly unknown[] ? NarrowOne<C, G[number]> : NarrowOne<C, G>

/** A compiled guard: `false` when it does not match, else the RegExp match it found (or `true`). */
export type Matcher<C> = (ctx: C) => RegExpMatchArray | boolean

/**
 * Rejects, at compile time, guard fields that the stanza kind does not have, naming the fields it
 * has. Parameters take `G & Exact<G, F>`: the bare `G` keeps the literal values of `const G`,
 * which narrow the handler.
 *
 * @example
 * ```ts
 * function onMessage<const G extends Guards<MessageContext, MessageField>>(guards: G & Exact<G, MessageField>): void {}
 * ```
 */
export type Exact<G, F extends PropertyKey> = G extends readonly unknown[]
  ? { readonly [I in keyof G]: Exact<G[I], F> }
  : G extends (...args: never[]) => unknown
    ? unknown
    : { readonly [K in Exclude<keyof G, F>]: { readonly 'no such field': K; readonly 'fields are': F } }

/** The fields of a kind that guards compile against. */
export interface GuardedKind {
  readonly name: string
  readonly fields: readonly string[]
  readonly jidFields: readonly string[]
  /** Fields whose stanzas reach only the handlers whose guards name them (a message's `correction`). */
  readonly optIn?: readonly string[]
}

/**
 * Compiles guards once, at registration (undefined for none). Throws when a guard names a field that
 * `kind` does not have, so a typo fails at start-up instead of at dispatch.
 */
export function compileGuards<C>(kind: GuardedKind, guards: unknown): Matcher<C> {
  if (guards === undefined) return optingIn(kind, [], () => true)
  if (Array.isArray(guards)) {
    if (guards.length === 0) throw new TypeError(`${kind.name}: an empty list of guards matches nothing`)
    const matchers = guards.map((g) => compileOne<C>(kind, g))
    return (ctx) => {
      for (const m of matchers) {
        const r = m(ctx)
        if (r) return r
      }
      return false
    }
  }
  return compileOne<C>(kind, guards)
}

function compileOne<C>(kind: GuardedKind, guard: unknown): Matcher<C> {
  if (typeof guard === 'function') return optingIn<C>(kind, [], (ctx) => Boolean((guard as (c: C) => unknown)(ctx)))
  if (guard === null || typeof guard !== 'object') {
    throw new TypeError(`${kind.name}: a guard is an object of field patterns or a function, not ${String(guard)}`)
  }
  const tests: Array<[string, (value: unknown) => RegExpMatchArray | boolean]> = []
  for (const [field, pattern] of Object.entries(guard)) {
    if (!kind.fields.includes(field)) {
      throw new TypeError(`${kind.name}: no field "${field}" to guard on; ${kind.name} has ${kind.fields.join(', ')}`)
    }
    if (pattern === undefined) continue
    tests.push([field, itemwise(compilePattern(pattern, kind.jidFields.includes(field)))])
  }
  return optingIn<C>(
    kind,
    tests.map(([field]) => field),
    (ctx) => {
      let match: RegExpMatchArray | true = true
      for (const [field, test] of tests) {
        const r = test((ctx as Record<string, unknown>)[field])
        if (!r) return false
        if (r !== true && match === true) match = r
      }
      return match
    },
  )
}

/** A guard that does not name an opt-in field of the kind never matches a stanza that has it. */
function optingIn<C>(kind: GuardedKind, named: readonly string[], matcher: Matcher<C>): Matcher<C> {
  const hidden = (kind.optIn ?? []).filter((field) => !named.includes(field))
  if (hidden.length === 0) return matcher
  return (ctx) => (hidden.some((field) => (ctx as Record<string, unknown>)[field] !== undefined) ? false : matcher(ctx))
}

/** A list field (a roster item's `groups`) matches when one of its items does. */
function itemwise(test: (value: unknown) => RegExpMatchArray | boolean): (value: unknown) => RegExpMatchArray | boolean {
  return (value) => {
    if (!Array.isArray(value)) return test(value)
    for (const item of value) {
      const r = test(item)
      if (r) return r
    }
    return false
  }
}

function compilePattern(pattern: unknown, jid: boolean): (value: unknown) => RegExpMatchArray | boolean {
  if (pattern === true) return (value) => value !== undefined && value !== null && value !== false
  if (pattern instanceof RegExp) {
    return (value) => {
      if (typeof value !== 'string') return false
      pattern.lastIndex = 0
      return pattern.exec(value) ?? false
    }
  }
  if (Array.isArray(pattern)) {
    const alternatives = pattern.map((p) => compilePattern(p, jid))
    return (value) => {
      for (const alt of alternatives) {
        const r = alt(value)
        if (r) return r
      }
      return false
    }
  }
  if (typeof pattern === 'function') {
    return (value) => value !== undefined && value !== null && Boolean((pattern as (v: unknown) => unknown)(value))
  }
  if (jid && typeof pattern === 'string') {
    const wanted = parseJid(pattern)
    if (!wanted) throw new TypeError(`"${pattern}" is not a JID`)
    return (value) => {
      if (typeof value !== 'string') return false
      const got = parseJid(value)
      return got !== undefined && (wanted.resource ? got.full === wanted.full : got.bare === wanted.bare)
    }
  }
  return (value) => value === pattern
}
