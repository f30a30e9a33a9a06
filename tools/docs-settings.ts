// `npm run docs:settings`: rewrites the table of settings in docs/configuration.md from the settings table the code
// reads, so that the page says what loadSettings, the features and --help do. test/configuration-docs.test.ts fails
// when the page and the table differ.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { botSettings } from '../src/create-bot.js'
import { withSettingsTable } from '../src/settings/settings-markdown.js'
import { ROOT } from './bot-process.js'

const page = join(ROOT, 'docs', 'configuration.md')
const before = readFileSync(page, 'utf8')
const after = withSettingsTable(before, botSettings())
if (after !== before) writeFileSync(page, after)
process.stdout.write(`docs/configuration.md: ${after === before ? 'already up to date' : 'settings table rewritten'}\n`)
