import { describeDefault, type Setting } from './setting.js'
import { twoColumns } from './two-columns.js'

/**
 * The settings table as `--help` shows it: each variable, its help line and its default, laid out
 * for a terminal of `width` columns.
 *
 * @example
 * ```ts
 * process.stdout.write(`Environment:\n${settingsHelp(bot.settingsTable.rows).join('\n')}\n`)
 * ```
 */
export function settingsHelp(settings: readonly Setting<unknown>[], width = 80): string[] {
  return twoColumns(
    settings.map((setting) => [setting.variable, `${setting.help} (${setting.required === undefined ? 'default: ' : ''}${describeDefault(setting)})`]),
    width,
  )
}
