import { ConfigError } from 'natter'
import { describe, expect, it } from 'vitest'
import { commaList, listEntries, positiveNumber, positiveWholeNumber, seconds, yesOrNo } from '../../src/settings/parsers.js'

/** The message of the ConfigError that `read` throws. */
function refusal(read: () => unknown): string {
  try {
    read()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('expected a ConfigError')
}

describe('seconds', () => {
  it('reads a positive number, fractions allowed', () => {
    expect(seconds('2.5', 'T')).toBe(2.5)
  })

  it.each(['0', '-1', 'ten', 'Infinity'])('refuses %j', (text) => {
    expect(refusal(() => seconds(text, 'T'))).toBe(`T: malformed "${text}"; expected a positive number of seconds`)
  })
})

describe('positiveNumber and positiveWholeNumber', () => {
  it('read positive numbers, the whole one refusing fractions', () => {
    expect(positiveNumber('0.5', 'R')).toBe(0.5)
    expect(positiveWholeNumber('65536', 'S')).toBe(65_536)
    expect(refusal(() => positiveWholeNumber('1.5', 'S'))).toBe('S: malformed "1.5"; expected a positive whole number')
    expect(refusal(() => positiveNumber('0', 'R'))).toBe('R: malformed "0"; expected a positive number')
  })
})

describe('yesOrNo', () => {
  it.each([
    ['1', true],
    ['ON', true],
    ['no', false],
    ['False', false],
  ])('reads %j as %s', (text, value) => {
    expect(yesOrNo(text, 'F')).toBe(value)
  })

  it('refuses anything else, in the text as given', () => {
    expect(refusal(() => yesOrNo('Sure', 'F'))).toBe('F: malformed "Sure"; expected 1 or 0')
  })
})

describe('commaList and listEntries', () => {
  it('trim each entry and leave blank ones out', () => {
    expect(commaList(' a.example, b.example ,,')).toEqual(['a.example', 'b.example'])
    expect(listEntries([' a.example', '', ' '])).toEqual(['a.example'])
  })
})
