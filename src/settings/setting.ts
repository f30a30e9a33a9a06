import { ConfigError } from '../errors.js'

/** The environment settings are read from. */
export type Env = Readonly<Record<string, string | undefined>>

/**
 * One row of the settings table: an environment variable, the option that overrides it in code, how
 * its text is read, its default and one line of help. `loadSettings`, the features, `--help` and
 * docs/configuration.md all read the rows, so that none of them can tell another story.
 *
 * A row gives exactly one of `default`, `unset` and `required`.
 *
 * @example
 * ```ts
 * const WEATHER_KEY: Setting<string> = {
 *   variable: 'WEATHER_KEY',
 *   parse: (text) => text,
 *   required: 'set it to your key of the weather service',
 *   help: 'key of the weather service',
 * }
 * ```
 */
export interface Setting<T> {
  /** The environment variable, e.g. `XMPP_PING_INTERVAL`. */
  readonly variable: string
  /** The option that wins over the variable, as written in `createBot()`'s options, e.g. `pingInterval`; absent when there is none. */
  readonly option?: string
  /**
   * Reads a value from the variable's text (trimmed, never blank) or from the option's, as `String(option)`.
   * Throws a `ConfigError` naming `variable` for text it cannot use.
   */
  readonly parse: (text: string, variable: string) => T
  /** The text the variable has when it is not set, parsed like any other. */
  readonly default?: string
  /** For a setting without a `default`: what natter does when it is not set, e.g. works it out from other settings. */
  readonly unset?: string
  /** For a setting that must be given: what the error for its absence tells the user to do. */
  readonly required?: string
  /** One line of help, without the default: `--help` and the docs add that. */
  readonly help: string
  /** Keep spaces at the ends of the text (a password); only an empty text then counts as unset. */
  readonly keepSpaces?: boolean
}

/** A value given in code for a setting; its text is read like the variable's. */
export type OptionValue = string | number | boolean

/** A setting that always has a value: a default, or an error when it is missing. */
export type AlwaysSet<T> = Setting<T> & ({ readonly default: string } | { readonly required: string })

/**
 * A setting's value: the option when it is given, else the environment variable, else the default.
 * Blank text counts as unset. Throws a `ConfigError` naming the variable for a value the row's parser
 * refuses, or for a required setting that is missing.
 *
 * @example
 * ```ts
 * const seconds = readSetting(PING_INTERVAL, process.env, options.pingInterval) // 60 when neither is set
 * ```
 */
export function readSetting<T>(setting: AlwaysSet<T>, env: Env, option?: OptionValue): T
export function readSetting<T>(setting: Setting<T>, env: Env, option?: OptionValue): T | undefined
export function readSetting<T>(setting: Setting<T>, env: Env, option?: OptionValue): T | undefined {
  const given = option === undefined ? env[setting.variable] : String(option)
  const text = setting.keepSpaces ? given : given?.trim()
  if (text !== undefined && text !== '') return setting.parse(text, setting.variable)
  if (setting.required !== undefined) throw new ConfigError(setting.variable, `missing; ${setting.required}`)
  return setting.default === undefined ? undefined : setting.parse(setting.default, setting.variable)
}

/**
 * How a row's default reads in help and docs: its default text, what happens when it is unset, or
 * `required`.
 *
 * @example
 * ```ts
 * describeDefault(CORE_SETTINGS.pingInterval) // '60'
 * ```
 */
export function describeDefault(setting: Setting<unknown>): string {
  return setting.default ?? setting.unset ?? 'required'
}
