import { describe, expect, it } from 'vitest'
import { twoColumns } from '../../src/settings/two-columns.js'

describe('twoColumns', () => {
  it('starts the text two columns after the longest key', () => {
    expect(
      twoColumns([
        ['-h', 'help'],
        ['--version', 'version'],
        [78, 'bad configuration'],
      ]),
    ).toEqual(['  -h         help', '  --version  version', '  78         bad configuration'])
  })

  it('wraps the text under its column before the width', () => {
    const lines = twoColumns([['KEY', 'word '.repeat(30).trim()]], 40)
    expect(lines.length).toBeGreaterThan(1)
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(39)
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {7}\S/)
  })

  it('never runs a key into its text, however long the key', () => {
    const key = `VERY_${'LONG_'.repeat(12)}NAME`
    const lines = twoColumns([
      ['SHORT', 'text of the short one'],
      [key, 'text of the long one'],
    ])
    expect(lines).toEqual(['  SHORT', '      text of the short one', `  ${key}`, '      text of the long one'])
  })

  it('puts a word longer than the column on a line of its own', () => {
    const word = 'x'.repeat(50)
    expect(twoColumns([['K', `a ${word} b`]], 40)).toEqual(['  K  a', `     ${word}`, '     b'])
  })
})
