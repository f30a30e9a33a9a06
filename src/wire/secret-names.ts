// Which attribute, form field and element names carry secrets, for the `-D` log to hide their values.

/** Parts of a name that mark a secret wherever they appear: `api_token`, `muc#roomconfig_roomsecret`, `passwd`. */
const SECRET_PARTS = ['token', 'secret', 'passw', 'pwd', 'passphrase', 'credential']
/** Words that mark a secret only as a word of their own: `api_key` and `apiKey`, not `monkey`; `auth`, not `author`. */
const SECRET_WORDS = new Set(['key', 'apikey', 'auth', 'pin', 'otp'])
/** Where a name splits into words: any run of non-alphanumerics, and a lower-case letter followed by a capital. */
const WORD_BREAK = /[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])/

/**
 * Tells names that carry secrets (`password`, `api_token`, `x-auth`, `apiKey`, ...) from others, plus any
 * names the operator adds (`LOG_SECRET_NAMES`), each matched as a part of a name, case aside.
 *
 * @example
 * ```ts
 * const secrets = new SecretNames(['session'])
 * secrets.has('password') // true
 * secrets.has('x-session-id') // true
 * secrets.has('author') // false
 * ```
 */
export class SecretNames {
  readonly #parts: readonly string[]

  constructor(extra: readonly string[] = []) {
    this.#parts = [...SECRET_PARTS, ...extra.map((name) => name.toLowerCase())]
  }

  has(name: string): boolean {
    const lower = name.toLowerCase()
    if (this.#parts.some((part) => lower.includes(part))) return true
    return name.split(WORD_BREAK).some((word) => SECRET_WORDS.has(word.toLowerCase()))
  }
}
