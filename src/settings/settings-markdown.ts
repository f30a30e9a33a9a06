import { describeDefault, type Setting } from './setting.js'

/**
 * The settings table as docs/configuration.md shows it: a markdown table of each variable, the option
 * that overrides it, its default and its meaning.
 *
 * @example
 * ```ts
 * writeFileSync('settings.md', `${settingsMarkdown(botSettings())}\n`)
 * ```
 */
export function settingsMarkdown(settings: readonly Setting<unknown>[]): string {
  const rows = settings.map((setting) => {
    const option = setting.option === undefined ? '' : code(setting.option)
    const fallback = setting.default === undefined ? describeDefault(setting) : code(setting.default)
    return `| ${code(setting.variable)} | ${option} | ${cell(fallback)} | ${cell(setting.help)} |`
  })
  return ['| Variable | Option | Default | Meaning |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

function code(text: string): string {
  return `\`${text}\``
}

/** A pipe would end the cell early. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|')
}

/** The markers in docs/configuration.md between which the table stands. */
export const SETTINGS_MARKERS = { start: '<!-- settings:start -->', end: '<!-- settings:end -->' } as const

/**
 * A markdown document with the block between the settings markers made the table of `settings`.
 * Throws when the document lacks the markers, so that a moved page never silently loses its table.
 *
 * @example
 * ```ts
 * writeFileSync(page, withSettingsTable(readFileSync(page, 'utf8'), botSettings()))
 * ```
 */
export function withSettingsTable(document: string, settings: readonly Setting<unknown>[]): string {
  const start = document.indexOf(SETTINGS_MARKERS.start)
  const end = document.indexOf(SETTINGS_MARKERS.end)
  if (start === -1 || end < start) throw new Error(`no ${SETTINGS_MARKERS.start} ... ${SETTINGS_MARKERS.end} block`)
  return `${document.slice(0, start + SETTINGS_MARKERS.start.length)}\n${settingsMarkdown(settings)}\n${document.slice(end)}`
}
