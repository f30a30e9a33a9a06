// Folding a V8 CPU profile by module, for the benchmark's "where natter's time goes".
import { describe, expect, it } from 'vitest'
import { type CpuProfile, moduleOf, renderProfile, summarizeProfile } from '../../bench/cpu-profile.js'

const ROOT = '/repo'

describe('moduleOf', () => {
  it('names natter files by their source, packages by name, Node internals as they are', () => {
    expect(moduleOf('file:///repo/dist/src/wire/transport.js', ROOT)).toBe('natter src/wire/transport.ts')
    expect(moduleOf('file:///repo/node_modules/@xmpp/xml/lib/Parser.js', ROOT)).toBe('@xmpp/xml')
    expect(moduleOf('file:///repo/node_modules/ltx/lib/parsers/ltx.js', ROOT)).toBe('ltx')
    expect(moduleOf('node:internal/timers', ROOT)).toBe('node:internal/timers')
    expect(moduleOf('', ROOT)).toBe('(V8 builtins and native code)')
  })
})

describe('summarizeProfile', () => {
  // Samples at 10, 20, 30, 40 µs after the start; each stands for the time until the next one.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      { id: 2, callFrame: { functionName: 'runRoutes', url: 'file:///repo/dist/src/dispatch/router.js', lineNumber: 33 } },
      { id: 3, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
    ],
    startTime: 1_000,
    endTime: 1_050,
    samples: [2, 1, 3, 2, 2],
    timeDeltas: [10, 10, 10, 10, 10],
  }

  it('adds up self time by module and function, leaving idle out', () => {
    const summary = summarizeProfile(profile, ROOT)
    expect(summary.busyMs).toBeCloseTo(0.03)
    expect(summary.byModule.map((row) => row.where)).toEqual(['natter src/dispatch/router.ts', '(garbage collector)'])
    expect(summary.topFunctions[0]?.where).toBe('runRoutes (natter src/dispatch/router.ts:34)')
    expect(renderProfile(summary)).toContain('| **natter** |')
  })

  it('counts only the samples inside the window', () => {
    const summary = summarizeProfile(profile, ROOT, { fromUs: 1_035, toUs: 1_045 })
    expect(summary.byModule).toEqual([{ where: 'natter src/dispatch/router.ts', ms: 0.01, share: 1 }])
  })
})
