import { readFileSync } from 'node:fs'
import { VERSION } from 'natter'
import { describe, expect, it } from 'vitest'
import { scriptName } from '../../src/process/run-process.js'

describe('scriptName', () => {
  it('is the script relative to the current directory, as the user would type it', () => {
    expect(scriptName('/home/me/ceo/userbot/bot.mjs', '/home/me/ceo/userbot')).toBe('bot.mjs')
    expect(scriptName('/home/me/ceo/userbot/bot.ts', '/home/me')).toBe('ceo/userbot/bot.ts')
  })

  it('is the full path for a script outside the current directory', () => {
    expect(scriptName('/srv/bots/bot.js', '/home/me')).toBe('/srv/bots/bot.js')
  })
})

describe('VERSION', () => {
  it('is the version of the natter package', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(VERSION).toBe(pkg.version)
  })
})
