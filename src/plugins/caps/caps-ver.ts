import { createHash } from 'node:crypto'
import { NS_DATA } from '../../ns.js'
import type { XmlElement } from '../../xml.js'

/** XEP-0115 orders by octets ("i;octet"), not by locale or UTF-16 units. */
function byOctets(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

/**
 * The verification string of XEP-0115 (section 5.1) for a disco#info answer: its identities, features
 * and extended forms (XEP-0128), each sorted as the XEP says, hashed with SHA-1 and encoded in base64.
 *
 * @example
 * ```ts
 * const ver = capsVer(bot.discoInfo()) // 'QgayPKawpkPSDYmwT/WM94uAlu0=' for the XEP's first example
 * ```
 */
export function capsVer(info: XmlElement): string {
  const identities = info
    .getChildren('identity')
    .map((i) => `${i.attrs.category ?? ''}/${i.attrs.type ?? ''}/${i.attrs['xml:lang'] ?? ''}/${i.attrs.name ?? ''}<`)
    .sort(byOctets)
  const features = info
    .getChildren('feature')
    .map((f) => `${f.attrs.var ?? ''}<`)
    .sort(byOctets)
  const forms = info
    .getChildren('x', NS_DATA)
    .map(formString)
    .filter((s): s is { type: string; text: string } => s !== undefined)
    .sort((a, b) => byOctets(a.type, b.type))
    .map((s) => s.text)
  return createHash('sha1')
    .update([...identities, ...features, ...forms].join(''), 'utf8')
    .digest('base64')
}

/** An extended form's part of the string: FORM_TYPE first, then the other fields by name; forms without FORM_TYPE are left out. */
function formString(x: XmlElement): { type: string; text: string } | undefined {
  const fields = x.getChildren('field')
  const formType = fields.find((f) => f.attrs.var === 'FORM_TYPE')
  if (!formType) return undefined
  const type = formType.getChildText('value') ?? ''
  const rest = fields
    .filter((f) => f !== formType && f.attrs.var !== undefined)
    .sort((a, b) => byOctets(a.attrs.var as string, b.attrs.var as string))
    .map((f) => `${f.attrs.var}<${valuesOf(f)}`)
  return { type, text: `${type}<${rest.join('')}` }
}

function valuesOf(field: XmlElement): string {
  return field
    .getChildren('value')
    .map((v) => `${v.getText()}<`)
    .sort(byOctets)
    .join('')
}
