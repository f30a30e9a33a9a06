import { type XmlElement, xml } from '../xml.js'
import { SecretNames } from './secret-names.js'
import { hideSaslPayloads } from './xmppjs.js'

/** What a secret is replaced with. */
const HIDDEN = 'hidden'
const BUILT_IN = new SecretNames()
/** Levels of nesting a log line shows; deeper content is elided. */
const MAX_LOG_DEPTH = 64

/**
 * The element as one line of XML for `-D` logs: SASL payloads hidden as xmpp.js's debug output hides
 * them, a component's handshake, and the secrets {@link redactedXml} hides, at any depth.
 *
 * @example
 * ```ts
 * log.debug({ xml: redact(stanza) }, 'xmpp in')
 * ```
 */
export function redact(element: XmlElement, secrets: SecretNames = BUILT_IN): string {
  return redactedXml(hideHandshake(hideSaslPayloads(topCopy(element))), MAX_LOG_DEPTH, secrets)
}

/** A component's handshake (XEP-0114) is a hash of its secret: a guess at the secret can be checked against it. */
function hideHandshake(element: XmlElement): XmlElement {
  if (element.name === 'handshake' && element.children.length > 0) element.children = [HIDDEN]
  return element
}

/**
 * A copy of the element and of its children, which hiding rewrites in place, since the original is
 * still on its way; what lies deeper is shared, and only read.
 */
function topCopy(element: XmlElement): XmlElement {
  const copy = xml(element.name, { ...element.attrs })
  copy.children = element.children.map((child) =>
    typeof child === 'string' ? child : Object.assign(xml(child.name, { ...child.attrs }), { children: [...child.children] }),
  )
  return copy
}

/**
 * An element as one line of XML for debug logs, with secrets hidden by their shape: the text of every
 * element whose name marks a secret (`<password/>` of rooms and in-band registration, `<token/>`), the
 * value of every such attribute (a XEP-0249 invite's `password`), and the values of data form fields that
 * are `text-private` or whose `var` marks a secret (`api_token`, `muc#roomconfig_roomsecret`); which names
 * mark one is `secrets`' call. Nesting deeper than `maxDepth` is elided. Written without recursion, so a
 * stanza of any depth can be logged. The element itself is left untouched.
 *
 * @example
 * ```ts
 * log.debug({ xml: redactedXml(stanza) }, 'xmpp in')
 * ```
 */
export function redactedXml(root: XmlElement, maxDepth = MAX_LOG_DEPTH, secrets: SecretNames = BUILT_IN): string {
  const parts: string[] = []
  const open: Array<{ element: XmlElement; next: number; secretValues: boolean }> = []
  const visit = (element: XmlElement, secretValues: boolean): void => {
    parts.push(`<${element.name}${attributes(element, secrets)}`)
    if (!element.children.some((child) => child !== null && child !== undefined)) {
      parts.push('/>')
    } else if (element.name === 'password' || (secretValues && element.name === 'value') || (secrets.has(element.name) && isTextOnly(element))) {
      parts.push(`>${HIDDEN}</${element.name}>`)
    } else if (open.length + 1 >= maxDepth) {
      parts.push(`>…</${element.name}>`)
    } else {
      parts.push('>')
      open.push({ element, next: 0, secretValues: element.name === 'field' && isSecretField(element, secrets) })
    }
  }
  visit(root, false)
  for (let frame = open.at(-1); frame; frame = open.at(-1)) {
    if (frame.next >= frame.element.children.length) {
      open.pop()
      parts.push(`</${frame.element.name}>`)
      continue
    }
    const child: unknown = frame.element.children[frame.next++]
    if (child === null || child === undefined) continue
    if (typeof child === 'object') visit(child as XmlElement, frame.secretValues)
    else parts.push(escapeText(String(child)))
  }
  return parts.join('')
}

/** Whether an element holds only text: a secret's shape, where one with elements inside is a container (SASL's `<auth/>`, once hidden). */
function isTextOnly(element: XmlElement): boolean {
  return element.children.every((child) => typeof child === 'string')
}

function isSecretField(field: XmlElement, secrets: SecretNames): boolean {
  return field.attrs.type === 'text-private' || secrets.has(field.attrs.var ?? '')
}

function attributes(element: XmlElement, secrets: SecretNames): string {
  let text = ''
  for (const [name, value] of Object.entries(element.attrs)) {
    if (value === undefined || value === null) continue
    text += ` ${name}="${secrets.has(name) ? HIDDEN : escapeAttribute(String(value))}"`
  }
  return text
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}
