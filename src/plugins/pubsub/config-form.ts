import { NS_DATA } from '../../ns.js'
import { type XmlElement, xml } from '../../xml.js'

/**
 * Values for a node's configuration or for publish options, by field name (`pubsub#access_model`,
 * `pubsub#max_items`, ...). A list is a multi-valued field; a boolean is sent as `1` or `0`.
 *
 * @example
 * ```ts
 * const config: NodeConfig = { 'pubsub#access_model': 'open', 'pubsub#max_items': 10, 'pubsub#persist_items': true }
 * ```
 */
export type NodeConfig = Readonly<Record<string, string | number | boolean | readonly string[]>>

/** A submitted data form (XEP-0004) of `formType` holding `config`: the few forms PubSub needs, built in place. */
export function submitForm(formType: string, config: NodeConfig): XmlElement {
  return xml(
    'x',
    { xmlns: NS_DATA, type: 'submit' },
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, formType)),
    Object.entries(config).map(([name, value]) =>
      xml(
        'field',
        { var: name },
        fieldValues(value).map((v) => xml('value', {}, v)),
      ),
    ),
  )
}

function fieldValues(value: NodeConfig[string]): string[] {
  if (typeof value === 'boolean') return [value ? '1' : '0']
  if (typeof value === 'number') return [String(value)]
  if (typeof value === 'string') return [value]
  return [...value]
}
