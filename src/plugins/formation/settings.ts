import { ConfigError } from '../../errors.js'
import { type Env, readSetting, type Setting } from '../../settings/setting.js'

/**
 * How the processes of one bot share its work; each setting overrides its environment variable.
 *
 * @example
 * ```ts
 * createBot({ formation: false })
 * ```
 */
export interface FormationOptions {
  /**
   * Coordinate with the other processes of this bot (same JID, other resources) so that each stanza
   * is handled once (`XMPP_FORMATION`, on by default). Off: every process handles everything.
   */
  formation?: boolean
  /** How long a silent process may stay before the others take its share over, in ms (`XMPP_TAKEOVER`, in seconds). */
  takeoverAfter?: number
}

/** How this process takes part in its bot's formation, with every default applied. */
export interface FormationSettings {
  /** False with `formation: false` or `XMPP_FORMATION=off`: every process handles everything. */
  readonly enabled: boolean
  /** ms a silent process may stay before the others take its share over. */
  readonly takeoverAfter: number
}

/**
 * The rows formations add to the settings table.
 *
 * @example
 * ```ts
 * readSetting(FORMATION_SETTINGS.takeover, process.env) // 5 unless XMPP_TAKEOVER says otherwise
 * ```
 */
export const FORMATION_SETTINGS = {
  enabled: {
    variable: 'XMPP_FORMATION',
    option: 'formation',
    parse: onOrOff,
    default: 'on',
    help: 'on or off: the processes of one bot share its work, each stanza handled once',
  },
  takeover: {
    variable: 'XMPP_TAKEOVER',
    option: 'takeoverAfter',
    parse: takeoverSeconds,
    default: '5',
    help: 'seconds a silent process of the formation may stay before the others take its share over (the option counts in ms)',
  },
} satisfies Record<string, Setting<unknown>>

/**
 * Reads the formation's settings from the options and the environment: `XMPP_FORMATION` and
 * `XMPP_TAKEOVER`. Throws a `ConfigError` naming the variable at fault.
 *
 * @example
 * ```ts
 * readFormationSettings({}, { XMPP_TAKEOVER: '3' }) // { enabled: true, takeoverAfter: 3000 }
 * ```
 */
export function readFormationSettings(options: FormationOptions, env: Env): FormationSettings {
  return {
    enabled: readSetting(FORMATION_SETTINGS.enabled, env, options.formation),
    // The option counts in ms, the variable in seconds.
    takeoverAfter: options.takeoverAfter ?? readSetting(FORMATION_SETTINGS.takeover, env) * 1000,
  }
}

function onOrOff(text: string, variable: string): boolean {
  const value = text.toLowerCase()
  if (!['on', 'off', 'true', 'false', '1', '0'].includes(value)) throw new ConfigError(variable, `malformed "${value}"; use on or off`)
  return ['on', 'true', '1'].includes(value)
}

function takeoverSeconds(text: string, variable: string): number {
  const seconds = Number(text)
  if (!Number.isFinite(seconds) || seconds < 1) throw new ConfigError(variable, `malformed "${text}"; expected seconds, at least 1`)
  return seconds
}
