import { describe, expect, it } from 'vitest'
import { helpText } from '../../src/cli/help.js'
import { botSettings } from '../../src/create-bot.js'

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

  it("lists the bot's settings, the text of each beside its name", () => {
    const environment = text.slice(text.indexOf('Environment'))
    for (const setting of botSettings()) expect(environment).toMatch(new RegExp(`^ {2}${setting.variable} {2,}\\S`, 'm'))
  })
})
