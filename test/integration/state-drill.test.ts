// The formation drills with state, against real servers: a counter per sender in ctx.state and a durable
// reminder per sender across a SIGTERM handover and a SIGKILL takeover (tools/state-drill.ts).
//
// What they do not hold yet (issue 17, item 9: no increment lost), so not asserted here:
// - SIGTERM: while the leaving member still finishes messages it had taken in, the new owner handles the next ones
//   of the same conversation; one save then loses, refused with an error logged, or unseen on the XMPP back end,
//   which checks versions and writes in two requests. Measured once on Prosody (npm run recovery, loaded machine):
//   13 of 120 increments lost, 5 saves refused. Retrying the handler on a conflict would send its replies twice;
//   the fix is the handover's: the successor holds a conversation it takes from a leaving member (as the formation's
//   backlog holds what others own) until that member's session has ended, or its shutdown deadline passed, and
//   only then handles it, in order.
// - SIGKILL: in the same run, 4 messages got no reply and 7 increments were lost (the stateless drills lose none);
//   not yet explained.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type Ejabberd, startEjabberd } from '../../tools/ejabberd.js'
import { type DrillSetup, prepareDrills } from '../../tools/formation-drill.js'
import { type StateDrillResult, stateDrills } from '../../tools/state-drill.js'

const PASSWORD = 'pw-State-Drill-1'
const DRILL_MS = 120_000

/** A handover: every reply once, every reminder once, every increment counted once, no save refused. */
function expectHandover(result: StateDrillResult): void {
  expect(result.lost).toEqual([])
  expect(result.doubled).toEqual([])
  expect(result.reminders).toEqual({ missing: 0, doubled: 0 })
  expect(result.increments).toEqual({ lost: 0, extra: 0 })
  expect(result.conflicts).toBe(0)
}

/** A takeover: every reminder comes; an increment is counted twice only where its message was answered twice. */
function expectTakeover(result: StateDrillResult): void {
  expect(result.reminders.missing).toBe(0)
  expect(result.increments.extra).toBeLessThanOrEqual(result.doubled.length)
}

describe('state across a formation’s faults on Prosody', () => {
  let prosody: Prosody
  let setup: DrillSetup

  beforeAll(async () => {
    prosody = await startProsody({ muc: false, smacksHibernation: 120 })
    setup = await prepareDrills(prosody, PASSWORD)
  })
  afterAll(() => prosody?.stop())

  it('hands over on SIGTERM', { timeout: DRILL_MS }, async () => {
    expectHandover(await stateDrills.sigterm(setup))
  })

  it('takes over from SIGKILL', { timeout: DRILL_MS }, async () => {
    expectTakeover(await stateDrills.sigkill(setup))
  })
})

describe('state across a formation’s faults on ejabberd', () => {
  let ejabberd: Ejabberd
  let setup: DrillSetup

  beforeAll(async () => {
    // SCRAM-SHA-1 credentials: the senders are plain xmpp.js clients, which know no SCRAM-SHA-256.
    ejabberd = await startEjabberd({ resumeTimeout: 120, scramHash: 'sha1' })
    setup = await prepareDrills(ejabberd, PASSWORD)
  })
  afterAll(() => ejabberd?.stop())

  it('hands over on SIGTERM', { timeout: DRILL_MS }, async () => {
    expectHandover(await stateDrills.sigterm(setup))
  })

  it('takes over from SIGKILL', { timeout: DRILL_MS }, async () => {
    expectTakeover(await stateDrills.sigkill(setup))
  })
})
