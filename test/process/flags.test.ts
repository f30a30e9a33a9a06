import { UsageError } from 'natter'
import { describe, expect, it } from 'vitest'
import { parseFlags } from '../../src/process/flags.js'

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
