import { type AlwaysSet, type Env, readSetting } from '../../settings/setting.js'

/** Where the reference goes in the reply's text. */
export const REF_PLACEHOLDER = '{ref}'

/**
 * What a sender is told when handling its chat or room message failed, `{ref}` standing for the
 * failure's reference; `off` for nothing.
 *
 * @example
 * ```ts
 * readSetting(ERROR_REPLY_SETTING, { XMPP_ERROR_REPLY: 'off' }) // false
 * ```
 */
export const ERROR_REPLY_SETTING: AlwaysSet<string | false> = {
  variable: 'XMPP_ERROR_REPLY',
  option: 'errorReply',
  parse: (text) => (text.toLowerCase() === 'off' ? false : text),
  default: `Sorry, something went wrong (ref ${REF_PLACEHOLDER}).`,
  help: `what a sender is told when a handler fails on its chat or room message; ${REF_PLACEHOLDER} is the reference the error log line carries; off for nothing`,
}

/**
 * The reply's text from the option (`false` for none) and the environment; `false` when it is off.
 *
 * @example
 * ```ts
 * readErrorReply(undefined, process.env) // 'Sorry, something went wrong (ref {ref}).'
 * ```
 */
export function readErrorReply(option: string | false | undefined, env: Env): string | false {
  return readSetting(ERROR_REPLY_SETTING, env, option === false ? 'off' : option)
}
