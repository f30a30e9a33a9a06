// docs/configuration.md shows the settings table the code reads: `npm run docs:settings` writes it there, and this
// test fails when the page and the table have drifted apart.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { botSettings } from '../src/create-bot.js'
import { withSettingsTable } from '../src/settings/settings-markdown.js'

const page = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8')

describe('docs/configuration.md', () => {
  it('shows the settings table as the code has it (npm run docs:settings rewrites it)', () => {
    expect(withSettingsTable(page, botSettings()), 'npm run docs:settings writes the table anew').toBe(page)
  })

  it('names every variable the code reads that is not a setting', () => {
    for (const variable of ['DYNO', 'CI']) expect(page).toContain(`\`${variable}\``)
  })
})
