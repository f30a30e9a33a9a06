import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { isMain } from 'natter'
import { afterAll, describe, expect, it } from 'vitest'

const dir = mkdtempSync(join(tmpdir(), 'natter-main-'))
const bot = join(dir, 'bot.js')
writeFileSync(bot, '')
symlinkSync(bot, join(dir, 'link.js'))

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('isMain', () => {
  it('is true for the module Node was started with, however its path was given', () => {
    const url = pathToFileURL(bot).href
    expect(isMain(url, bot)).toBe(true)
    expect(isMain(url, join(dir, 'link.js'))).toBe(true)
    expect(isMain(url, join(dir, 'bot'))).toBe(true)
  })

  it('is false for a module that was imported', () => {
    expect(isMain(pathToFileURL(bot).href, join(dir, 'other.js'))).toBe(false)
    expect(isMain(import.meta.url)).toBe(false)
    expect(isMain(pathToFileURL(bot).href, undefined)).toBe(false)
  })
})
