import { describe, expect, it } from 'vitest'
import { helpText } from '../../src/cli/help.js'

describe('natter --help', () => {
  const text = helpText()

  it('fits a terminal of 80 columns', () => {
    expect(text.split('\n').filter((line) => line.length > 80)).toEqual([])
  })

  it('names every command and option', () => {
    for (const word of [
      'new <dir>',
      'dev',
      'check',
      'say <jid|room>',
      'ping [jid]',
      '--debug',
      '--room',
      '--nick',
      '--timeout',
      '--port',
      '--say',
      '--help',
      '--version',
    ]) {
      expect(text).toContain(word)
    }
  })
})
