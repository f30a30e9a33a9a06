import type { Setting } from 'natter'
import { describe, expect, it } from 'vitest'
import { settingsHelp } from '../../src/settings/settings-help.js'

const parse = (text: string): string => text

describe('settingsHelp', () => {
  it("adds each row's default to its help line, or says it is required", () => {
    const rows: Setting<string>[] = [
      { variable: 'A', parse, default: '60', help: 'seconds' },
      { variable: 'LONGER', parse, unset: 'the server picks one', help: 'a name' },
      { variable: 'KEY', parse, required: 'set it', help: 'a key' },
    ]
    expect(settingsHelp(rows)).toEqual(['  A       seconds (default: 60)', '  LONGER  a name (default: the server picks one)', '  KEY     a key (required)'])
  })
})
