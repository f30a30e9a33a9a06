import { ConfigError, readSetting, type Setting } from 'natter'
import { describe, expect, it } from 'vitest'
import { describeDefault } from '../../src/settings/setting.js'

const parse = (text: string, variable: string): number => {
  if (!/^\d+$/.test(text)) throw new ConfigError(variable, `malformed "${text}"`)
  return Number(text)
}
const withDefault: Setting<number> & { default: string } = { variable: 'COUNT', option: 'count', parse, default: '3', help: 'how many' }
const optional: Setting<number> = { variable: 'COUNT', parse, unset: 'as many as there are', help: 'how many' }
const required: Setting<number> & { required: string } = { variable: 'COUNT', parse, required: 'set it to a count', help: 'how many' }

describe('readSetting', () => {
  it('reads the variable, trimmed, through the row', () => {
    expect(readSetting(withDefault, { COUNT: ' 7 ' })).toBe(7)
  })

  it('lets the option win over the variable, read as its text is', () => {
    expect(readSetting(withDefault, { COUNT: '7' }, 9)).toBe(9)
    expect(() => readSetting(withDefault, { COUNT: '7' }, 'nine')).toThrow(/^COUNT: malformed "nine"/)
  })

  it('parses the default text when neither is set, or is blank', () => {
    expect(readSetting(withDefault, {})).toBe(3)
    expect(readSetting(withDefault, { COUNT: '  ' })).toBe(3)
  })

  it('is undefined for an unset row without a default', () => {
    expect(readSetting(optional, {})).toBeUndefined()
  })

  it('refuses a missing required setting, naming the variable', () => {
    expect(() => readSetting(required, {})).toThrow(new ConfigError('COUNT', 'missing; set it to a count'))
  })

  it('keeps spaces for a row that asks for them', () => {
    const secret: Setting<string> = { variable: 'SECRET', parse: (text) => text, keepSpaces: true, required: 'set it', help: 'a secret' }
    expect(readSetting(secret, { SECRET: ' two words ' })).toBe(' two words ')
    expect(() => readSetting(secret, { SECRET: '' })).toThrow(/^SECRET: missing/)
  })
})

describe('describeDefault', () => {
  it('is the default text, what happens when unset, or required', () => {
    expect([withDefault, optional, required].map(describeDefault)).toEqual(['3', 'as many as there are', 'required'])
  })
})
