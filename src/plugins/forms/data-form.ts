import { NS_DATA } from '../../ns.js'
import { type XmlElement, xml } from '../../xml.js'

/**
 * What a data form is for (XEP-0004): a form to fill in, what was filled in, a result to read, or a cancel.
 *
 * @example
 * ```ts
 * const type: FormType = 'submit'
 * ```
 */
export type FormType = 'form' | 'submit' | 'result' | 'cancel'

/**
 * The field types of XEP-0004 that natter builds, reads and checks.
 *
 * @example
 * ```ts
 * const field: FormField = { var: 'color', type: 'list-single', options: [{ value: 'red' }, { value: 'blue' }] }
 * ```
 */
export type FieldType = 'text-single' | 'text-multi' | 'text-private' | 'boolean' | 'list-single' | 'list-multi' | 'jid-single' | 'hidden' | 'fixed'

/**
 * One choice of a list field: the value sent back, and the label shown (the value when none).
 *
 * @example
 * ```ts
 * const option: FieldOption = { label: 'Six sides', value: '6' }
 * ```
 */
export interface FieldOption {
  label?: string
  value: string
}

/**
 * A field of a data form. `var` names it (only a `fixed` field may go without); `type` defaults to
 * `text-single`; `values` are its values as text, one per `<value/>` (`'1'`/`'0'` for a boolean).
 *
 * @example
 * ```ts
 * const field: FormField = { var: 'city', label: 'City', required: true, desc: 'Where to look up the weather' }
 * ```
 */
export interface FormField {
  var?: string
  type?: FieldType
  label?: string
  desc?: string
  required?: boolean
  values?: readonly string[]
  options?: readonly FieldOption[]
}

/**
 * A data form (XEP-0004), as natter builds it with {@link dataForm} and reads it with {@link parseDataForm}.
 *
 * @example
 * ```ts
 * const form: DataForm = { type: 'form', title: 'Weather', fields: [{ var: 'city', required: true }] }
 * ```
 */
export interface DataForm {
  type: FormType
  title?: string
  /** One entry per `<instructions/>` line. */
  instructions?: readonly string[]
  fields: readonly FormField[]
}

/**
 * The `<x xmlns='jabber:x:data'/>` element of a form.
 *
 * @example
 * ```ts
 * const x = dataForm({ type: 'form', title: 'Weather', fields: [{ var: 'city', label: 'City', required: true }] })
 * ```
 */
export function dataForm(form: DataForm): XmlElement {
  return xml(
    'x',
    { xmlns: NS_DATA, type: form.type },
    form.title !== undefined && xml('title', {}, form.title),
    (form.instructions ?? []).map((line) => xml('instructions', {}, line)),
    form.fields.map((field) =>
      xml(
        'field',
        { var: field.var, type: field.type, label: field.label },
        field.desc !== undefined && xml('desc', {}, field.desc),
        field.required === true && xml('required'),
        (field.values ?? []).map((value) => xml('value', {}, value)),
        (field.options ?? []).map((option) => xml('option', { label: option.label }, xml('value', {}, option.value))),
      ),
    ),
  )
}

const FORM_TYPES: readonly string[] = ['form', 'submit', 'result', 'cancel']
const FIELD_TYPES: readonly string[] = ['text-single', 'text-multi', 'text-private', 'boolean', 'list-single', 'list-multi', 'jid-single', 'hidden', 'fixed']

/**
 * Reads an `<x xmlns='jabber:x:data'/>` element (the one given, or the first such child of it). Throws a
 * `TypeError` saying what is wrong when there is none or its type is unknown; a field of a type natter does
 * not know reads as one without a type, which XEP-0004 treats as `text-single`.
 *
 * @example
 * ```ts
 * const form = parseDataForm(iq.query) // { type: 'submit', fields: [{ var: 'city', values: ['Paris'] }] }
 * ```
 */
export function parseDataForm(element: XmlElement): DataForm {
  const x = element.is('x', NS_DATA) ? element : element.getChild('x', NS_DATA)
  if (!x) throw new TypeError('no data form (jabber:x:data)')
  const type = x.attrs.type ?? ''
  if (!FORM_TYPES.includes(type)) throw new TypeError(`a data form's type is form, submit, result or cancel, not "${type.slice(0, 40)}"`)
  const title = x.getChildText('title') ?? undefined
  const instructions = x.getChildren('instructions').map((i) => i.getText())
  const fields = x.getChildren('field').map((f): FormField => {
    const options = f.getChildren('option').map((o) => defined({ label: o.attrs.label, value: o.getChildText('value') ?? '' }))
    const values = f.getChildren('value').map((v) => v.getText())
    const fieldType = f.attrs.type
    return defined({
      var: f.attrs.var,
      type: fieldType !== undefined && FIELD_TYPES.includes(fieldType) ? (fieldType as FieldType) : undefined,
      label: f.attrs.label,
      desc: f.getChildText('desc') ?? undefined,
      required: f.getChild('required') !== undefined || undefined,
      values: values.length > 0 ? values : undefined,
      options: options.length > 0 ? options : undefined,
    })
  })
  return defined({ type: type as FormType, title, instructions: instructions.length > 0 ? instructions : undefined, fields })
}

/** The object without its undefined members: a form read back equals the one built. */
function defined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T
}
