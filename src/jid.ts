/**
 * A parsed Jabber ID (`local@domain/resource`).
 *
 * @example
 * ```ts
 * const jid = parseJid('alice@example.org/phone')
 * jid.bare // 'alice@example.org'
 * ```
 */
export interface Jid {
  readonly local: string
  readonly domain: string
  readonly resource: string
  /** `local@domain`, or `domain` when there is no local part. */
  readonly bare: string
  /** The bare JID plus `/resource` when there is one. */
  readonly full: string
}

/**
 * Parses a JID. Returns `undefined` for text that is not one, so remote input can never throw.
 * Domains are compared case-insensitively in XMPP, so the domain and local part are lower-cased.
 *
 * @example
 * ```ts
 * parseJid('Room@Conference.Example.org/Nick')?.resource // 'Nick'
 * ```
 */
export function parseJid(text: string): Jid | undefined {
  const slash = text.indexOf('/')
  const resource = slash === -1 ? '' : text.slice(slash + 1)
  const rest = slash === -1 ? text : text.slice(0, slash)
  const at = rest.indexOf('@')
  const local = at === -1 ? '' : rest.slice(0, at).toLowerCase()
  const domain = (at === -1 ? rest : rest.slice(at + 1)).toLowerCase()
  if (domain === '' || /[\s@/]/.test(domain) || (at !== -1 && local === '') || (slash !== -1 && resource === '')) {
    return undefined
  }
  if (/[\s"&'/:<>@]/.test(local)) return undefined
  const bare = local ? `${local}@${domain}` : domain
  return { local, domain, resource, bare, full: resource ? `${bare}/${resource}` : bare }
}

/**
 * The bare form of a JID string, or the text itself when it does not parse.
 *
 * @example
 * ```ts
 * bareJid('alice@example.org/phone') // 'alice@example.org'
 * ```
 */
export function bareJid(text: string): string {
  return parseJid(text)?.bare ?? text
}

/**
 * Whether a JID is a bare domain: the address of a server, or of a component (XEP-0114), under which every
 * `local@domain` is the component's too.
 *
 * @example
 * ```ts
 * isDomainJid('svc.example.org') // true
 * ```
 */
export function isDomainJid(text: string): boolean {
  return text !== '' && !text.includes('@') && !text.includes('/')
}
