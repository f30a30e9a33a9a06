import type { Setting } from 'natter'
import { describe, expect, it } from 'vitest'
import { SettingsTable } from '../../src/settings/settings-table.js'

const row = (variable: string): Setting<string> => ({ variable, parse: (text) => text, unset: 'nothing', help: `what ${variable} says` })

describe('SettingsTable', () => {
  it('keeps rows in the order they were added', () => {
    const [a, b, c] = [row('A'), row('B'), row('C')]
    expect(new SettingsTable([a]).add(b, c).rows).toEqual([a, b, c])
  })

  it('adds a row once, when a feature is installed twice', () => {
    const a = row('A')
    expect(new SettingsTable([a]).add(a).rows).toEqual([a])
  })

  it('refuses a second row for a variable already there', () => {
    expect(() => new SettingsTable([row('A')]).add(row('A'))).toThrow('A is in the settings table already')
  })
})
