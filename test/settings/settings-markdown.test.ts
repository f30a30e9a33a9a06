import type { Setting } from 'natter'
import { describe, expect, it } from 'vitest'
import { settingsMarkdown, withSettingsTable } from '../../src/settings/settings-markdown.js'

const parse = (text: string): string => text
const rows: Setting<string>[] = [
  { variable: 'A', option: 'a', parse, default: '60', help: 'seconds' },
  { variable: 'B', parse, unset: 'none', help: 'x | y' },
  { variable: 'C', option: 'c', parse, required: 'set it', help: 'a key' },
]
const TABLE = [
  '| Variable | Option | Default | Meaning |',
  '| --- | --- | --- | --- |',
  '| `A` | `a` | `60` | seconds |',
  '| `B` |  | none | x \\| y |',
  '| `C` | `c` | required | a key |',
].join('\n')

describe('settingsMarkdown', () => {
  it('is a table of variable, option, default and meaning, a pipe in a cell escaped', () => {
    expect(settingsMarkdown(rows)).toBe(TABLE)
  })
})

describe('withSettingsTable', () => {
  it('writes the table between the markers, and only there', () => {
    const page = '# Settings\n\n<!-- settings:start -->\nold\n<!-- settings:end -->\n\nMore.\n'
    expect(withSettingsTable(page, rows)).toBe(`# Settings\n\n<!-- settings:start -->\n${TABLE}\n<!-- settings:end -->\n\nMore.\n`)
    expect(withSettingsTable(withSettingsTable(page, rows), rows)).toBe(withSettingsTable(page, rows))
  })

  it('refuses a page without the markers', () => {
    expect(() => withSettingsTable('# Settings\n', rows)).toThrow(/settings:start/)
  })
})
