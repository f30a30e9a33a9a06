import { readFileSync } from 'node:fs'
import { UsageError, VERSION } from 'natter'
import { describe, expect, it } from 'vitest'
import { parseFlags, scriptName, usage } from '../../src/process/run-process.js'

describe('parseFlags', () => {
  it('defaults every flag to false', () => {
    expect(parseFlags([])).toEqual({ debug: false, help: false, version: false })
  })

  it.each([
    [['-D'], 'debug'],
    [['--debug'], 'debug'],
    [['-h'], 'help'],
    [['--help'], 'help'],
    [['-v'], 'version'],
    [['--version'], 'version'],
  ] as const)('reads %j as %s', (argv, flag) => {
    expect(parseFlags(argv)).toEqual({ debug: false, help: false, version: false, [flag]: true })
  })

  it('reads several flags together', () => {
    expect(parseFlags(['-D', '--version'])).toEqual({ debug: true, help: false, version: true })
  })

  it.each([['--verbose'], ['-x'], ['stray'], ['--debug=yes']])('refuses %j with a UsageError', (arg) => {
    expect(() => parseFlags([arg])).toThrow(UsageError)
  })

  it('names the unknown flag in one line', () => {
    let error: unknown
    try {
      parseFlags(['--verbose'])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UsageError)
    expect((error as Error).message).toContain('--verbose')
    expect((error as Error).message).not.toContain('\n')
  })

  it('does not change the array it is given', () => {
    const argv = ['-D']
    parseFlags(argv)
    expect(argv).toEqual(['-D'])
  })
})

describe('usage', () => {
  const text = usage('dist/examples/echo.js')

  it('shows how to run the script', () => {
    expect(text).toContain('node dist/examples/echo.js')
  })

  it('lists every flag and every environment variable', () => {
    for (const word of [
      '--debug',
      '-D',
      '--help',
      '--version',
      'JID',
      'JPASSWORD',
      'XMPP_SERVICE',
      'XMPP_RESOURCE',
      'LOG_LEVEL',
      'XMPP_ROOMS',
      'XMPP_ALLOW_INSECURE',
      'XMPP_SENDER_RATE',
      'XMPP_SENDER_BURST',
      'XMPP_LIMITS',
      'XMPP_TRUSTED_ROOM_SERVICES',
      'XMPP_FORMATION',
      'XMPP_TAKEOVER',
      'XMPP_MAX_STANZA_SIZE',
      'XMPP_SEND_RATE',
      'XMPP_SEND_BURST',
    ]) {
      expect(text).toContain(word)
    }
  })

  it('states the configuration exit code', () => {
    expect(text).toMatch(/^ {2}78 +bad configuration$/m)
  })

  it('lists the exit codes as a table, one code a line', () => {
    const table = text.slice(text.indexOf('Exit codes:')).split('\n').slice(1)
    expect(table.map((line) => line.slice(0, 6))).toEqual(['  0   ', '  64  ', '  69  ', '  70  ', '  75  ', '  76  ', '  77  ', '  78  '])
    for (const line of table) expect(line.length).toBeLessThanOrEqual(80)
  })

  it('fits a terminal of 80 columns, wrapping long descriptions under their column', () => {
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80)
    expect(text).toMatch(/\n {22}\S/)
  })
})

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
