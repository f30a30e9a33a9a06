import { parseJid } from '../../jid.js'
import type { DataForm, FormField } from './data-form.js'

/**
 * A field's value as {@link readForm} gives it: a boolean for `boolean`, a list for `list-multi`, text for the
 * others (the lines of a `text-multi` joined with `\n`).
 *
 * @example
 * ```ts
 * const value: FormValue = values.sides ?? '6'
 * ```
 */
export type FormValue = string | boolean | readonly string[]

/**
 * The values of a submitted form, by field name. A field left empty that is not required is absent.
 *
 * @example
 * ```ts
 * const values: FormValues = { city: 'Paris', metric: true }
 * ```
 */
export type FormValues = Readonly<Record<string, FormValue>>

/**
 * A submitted form that does not fit the form it answers: every problem, one line each.
 *
 * @example
 * ```ts
 * try { readForm(asked, submitted) } catch (e) { if (e instanceof FormError) console.log(e.problems) }
 * ```
 */
export class FormError extends Error {
  override readonly name = 'FormError'
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '))
  }
}

const SINGLE = new Set(['text-single', 'text-private', 'list-single', 'jid-single', 'hidden', 'boolean'])
const BOOLEANS: Readonly<Record<string, boolean>> = { '1': true, true: true, '0': false, false: false }

/**
 * Checks a submitted form against the form that asked for it and reads its values, typed by the asking
 * form's fields: required fields filled, one value for a single-valued field, booleans as XEP-0004
 * spells them, list values among the options, JIDs well formed. Fields the asking form does not have are
 * ignored; a hidden field keeps the asking form's value. Throws a {@link FormError} listing every problem.
 *
 * @example
 * ```ts
 * const values = readForm(asked, parseDataForm(iq.query)) // { city: 'Paris' }
 * ```
 */
export function readForm(asked: DataForm, submitted: DataForm): FormValues {
  if (submitted.type !== 'submit') throw new FormError([`the form is a ${submitted.type}, not a submit`])
  const given = new Map(submitted.fields.filter((f) => f.var !== undefined).map((f) => [f.var as string, f.values ?? []]))
  const values: Record<string, FormValue> = {}
  const problems: string[] = []
  for (const field of asked.fields) {
    if (field.var === undefined || field.type === 'fixed') continue
    const raw = field.type === 'hidden' ? (field.values ?? []) : (given.get(field.var) ?? [])
    const read = readField(field, raw)
    if (typeof read === 'object' && 'problem' in read) problems.push(`${field.label ?? field.var}: ${read.problem}`)
    else if (read !== undefined) values[field.var] = read
  }
  if (problems.length > 0) throw new FormError(problems)
  return values
}

function readField(field: FormField, raw: readonly string[]): FormValue | undefined | { problem: string } {
  const type = field.type ?? 'text-single'
  const present = raw.filter((v) => v !== '')
  if (present.length === 0) {
    if (field.required) return { problem: 'required' }
    return type === 'boolean' ? false : undefined
  }
  if (SINGLE.has(type) && present.length > 1) return { problem: 'takes one value' }
  const [first] = present as [string]
  const options = field.options?.map((o) => o.value)
  switch (type) {
    case 'boolean':
      return BOOLEANS[first] ?? { problem: `"${first.slice(0, 20)}" is not a boolean` }
    case 'jid-single':
      return parseJid(first) ? first : { problem: `"${first.slice(0, 80)}" is not a JID` }
    case 'list-single':
      return options && !options.includes(first) ? { problem: 'not one of the options' } : first
    case 'list-multi':
      return options && present.some((v) => !options.includes(v)) ? { problem: 'not among the options' } : present
    case 'text-multi':
      return raw.join('\n')
    default:
      return first
  }
}
