// A formation (bot=3, bot=2) through the faults that used to split it for good, against a real Prosody and
// ejabberd: a process stalled for longer than the takeover time, a restart while the session of a killed process
// lingers on the server, and the server's own restart. Every numbered message must be answered, none three
// times, only a few twice, and the members must end with one view. The takeover time is 2 s here, to keep the
// drills short; `NATTER_DRILL_HOG=1` runs them with a CPU hog per core beside them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type Ejabberd, startEjabberd } from '../../tools/ejabberd.js'
import { type DrillSetup, prepareDrills } from '../../tools/formation-drill.js'
import { type FaultOptions, faultDrills } from '../../tools/formation-faults.js'

const PASSWORD = 'pw-Faults-1'
const OPTIONS: FaultOptions = { takeover: 2, count: 120, hog: process.env.NATTER_DRILL_HOG === '1' }
/** Answered twice, at most, around one fault: the harness that checks formations allows about this many a run. */
const DOUBLED_AT_MOST = 20
/** Each drill starts its own processes, and waits out a stall and the server's restart. */
const DRILL_MS = 90_000

describe('a formation on Prosody, through faults', () => {
  let prosody: Prosody
  let setup: DrillSetup

  beforeAll(async () => {
    prosody = await startProsody({ smacksHibernation: 120 })
    setup = await prepareDrills(prosody, PASSWORD)
  })

  afterAll(async () => {
    await prosody?.stop()
  })

  it(
    "heals after a process stalls for longer than the takeover time, and re-forms after the server's restart (killed)",
    async () => {
      const result = await faultDrills.stallThenRestart(setup, () => prosody.restart(), OPTIONS)
      expect(result).toMatchObject({ lost: [], tripled: [], converged: true, unhandled: 0 })
      expect(result.doubled.length).toBeLessThanOrEqual(DOUBLED_AT_MOST)
    },
    DRILL_MS,
  )

  it(
    'gives no work to the lingering session of a killed process when its successor starts',
    async () => {
      const result = await faultDrills.lingering(setup, OPTIONS)
      expect(result).toMatchObject({ lost: [], tripled: [], ghostCounted: false, converged: true, unhandled: 0 })
      // The kill itself: what the killed process had read but not answered is answered again after the takeover.
      expect(result.doubled.length).toBeLessThanOrEqual(DOUBLED_AT_MOST)
    },
    DRILL_MS,
  )
})

describe('a formation on ejabberd, through faults', () => {
  let ejabberd: Ejabberd
  let setup: DrillSetup

  beforeAll(async () => {
    ejabberd = await startEjabberd({ muc: true, resumeTimeout: 120, scramHash: 'sha1' })
    setup = await prepareDrills(ejabberd, PASSWORD)
  })

  afterAll(async () => {
    await ejabberd?.stop()
  })

  it(
    "heals after a process stalls for longer than the takeover time, and re-forms after the server's restart (stopped as its service stops it)",
    async () => {
      const result = await faultDrills.stallThenRestart(setup, () => ejabberd.restart(true), OPTIONS)
      expect(result).toMatchObject({ lost: [], tripled: [], converged: true, unhandled: 0 })
      expect(result.doubled.length).toBeLessThanOrEqual(DOUBLED_AT_MOST)
    },
    DRILL_MS,
  )
})
