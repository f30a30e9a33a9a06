import { describe, expect, it } from 'vitest'
import { portsInUse, track, untrack } from '../../../../src/cli/sandbox/servers/live-servers.js'

describe('track', () => {
  it("holds a server's port as in use until untrack(), without killing it", () => {
    const killed: number[] = []
    const a = { port: 40_001, killSync: () => killed.push(40_001) }
    const b = { port: 40_002, killSync: () => killed.push(40_002) }
    track(a)
    track(b)
    expect(portsInUse()).toEqual(new Set([40_001, 40_002]))
    untrack(a)
    expect(portsInUse()).toEqual(new Set([40_002]))
    untrack(b)
    expect(portsInUse().size).toBe(0)
    expect(killed).toEqual([])
  })
})
