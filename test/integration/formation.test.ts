// Several processes of one bot (heroku ps:scale bot=N) against a real Prosody: every numbered message
// to the bot's bare JID must be answered exactly once, through steady state, handovers and crashes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type Ejabberd, startEjabberd } from '../../tools/ejabberd.js'
import { type DrillSetup, drills, prepareDrills } from '../../tools/formation-drill.js'
import { connectPeer } from '../../tools/peer.js'

const PASSWORD = 'pw-Formation-1'

let prosody: Prosody
let setup: DrillSetup

beforeAll(async () => {
  prosody = await startProsody({ smacksHibernation: 120 })
  setup = await prepareDrills(prosody, PASSWORD)
})

afterAll(async () => {
  await prosody?.stop()
})

describe('a formation on Prosody', () => {
  it('of 2 answers each message to the bare JID once, and gives a human on the account no work', async () => {
    const human = await connectPeer({ service: prosody.service, jid: setup.botJid, password: PASSWORD, resource: 'phone' })
    await human.sendPresence()
    expect(await drills.steady(setup, 2)).toEqual({ lost: [], doubled: [], tripled: [] })
    await human.close()
  })

  it('of 3 answers each message once', async () => {
    expect(await drills.steady(setup, 3, 150)).toEqual({ lost: [], doubled: [], tripled: [] })
  })

  it('hands over on SIGTERM under traffic: the leaving process exits 0, nothing lost or doubled', async () => {
    expect(await drills.sigterm(setup)).toEqual({ lost: [], doubled: [], tripled: [], exitCode: 0 })
  })

  it('restarts as Heroku does: a new bot.1 starts before the old bot.1 stops; the old exits 0, nothing lost or doubled', async () => {
    expect(await drills.overlap(setup)).toEqual({ lost: [], doubled: [], tripled: [], exitCode: 0 })
  })

  it('restarts as Heroku times it, SIGTERM to the old bot.1 as the new one starts: nothing lost or doubled', async () => {
    expect(await drills.overlapAtOnce(setup)).toEqual({ lost: [], doubled: [], tripled: [], exitCode: 0 })
  })

  it('restarts with a gap: what came while no process ran is answered once, by the new one', async () => {
    expect(await drills.gap(setup)).toEqual({ lost: [], doubled: [], tripled: [], exitCode: 0 })
  })

  it('scales up under traffic: nothing lost or doubled', async () => {
    expect(await drills.scaleUp(setup)).toEqual({ lost: [], doubled: [], tripled: [] })
  })

  // Eight seconds of traffic, the takeover, then what the killed process left: past the default 30 s on a loaded machine.
  it('takes over from a process killed with SIGKILL under traffic: nothing lost, at most about a second doubled', { timeout: 60_000 }, async () => {
    const everyMs = 20
    const { lost, doubled } = await drills.sigkill(setup, 400, everyMs)
    expect(lost).toEqual([])
    expect(doubled.length).toBeLessThanOrEqual(1_500 / everyMs)
  })

  it('takes over again while the server still keeps the session of the process killed before', async () => {
    const { lost, doubled } = await drills.sigkill(setup, 400, 20)
    expect(lost).toEqual([])
    expect(doubled.length).toBeLessThanOrEqual(1_500 / 20)
    // Its processes first wait for the lingering session to answer a ping, which it never does.
  }, 60_000)

  it.each([2, 3])('of %i processes in a room, as one occupant, answers each addressed command once', async (size) => {
    expect(await drills.room(setup, 'formation@conference.localhost', size)).toEqual({ lost: [], doubled: [], tripled: [] })
  })
})

describe('a formation on ejabberd', () => {
  let ejabberd: Ejabberd
  let onEjabberd: DrillSetup

  beforeAll(async () => {
    // SCRAM-SHA-1 credentials: the senders are plain xmpp.js clients, which know no SCRAM-SHA-256.
    ejabberd = await startEjabberd({ muc: true, resumeTimeout: 120, scramHash: 'sha1' })
    onEjabberd = await prepareDrills(ejabberd, PASSWORD)
  })

  afterAll(async () => {
    await ejabberd?.stop()
  })

  it('of 2 answers each message once', async () => {
    expect(await drills.steady(onEjabberd, 2)).toEqual({ lost: [], doubled: [], tripled: [] })
  })

  it('of 3 answers each message once', async () => {
    expect(await drills.steady(onEjabberd, 3, 150)).toEqual({ lost: [], doubled: [], tripled: [] })
  })

  it('hands over on SIGTERM under traffic', async () => {
    expect(await drills.sigterm(onEjabberd)).toEqual({ lost: [], doubled: [], tripled: [], exitCode: 0 })
  })

  it('restarts as Heroku does, the old and new bot.1 side by side', async () => {
    expect(await drills.overlap(onEjabberd)).toEqual({ lost: [], doubled: [], tripled: [], exitCode: 0 })
  })

  it('restarts with a gap', async () => {
    expect(await drills.gap(onEjabberd)).toEqual({ lost: [], doubled: [], tripled: [], exitCode: 0 })
  })

  it('scales up under traffic', async () => {
    const { lost, doubled, tripled } = await drills.scaleUp(onEjabberd)
    expect({ lost, tripled }).toEqual({ lost: [], tripled: [] })
    // ejabberd routes a message and the newcomer's `active` announcement apart, so the two can cross: the old member
    // handles a message the newcomer took as its own too (a known limit, docs/scaling-out.md); seen once in some ten
    // full runs, one message each time.
    expect(doubled.length).toBeLessThanOrEqual(2)
  })

  it('takes over from a process killed with SIGKILL: nothing lost, at most about a second doubled', { timeout: 60_000 }, async () => {
    const { lost, doubled } = await drills.sigkill(onEjabberd, 400, 20)
    expect(lost).toEqual([])
    expect(doubled.length).toBeLessThanOrEqual(1_500 / 20)
  })

  it.each([2, 3])('of %i processes in a room answers each addressed command once', async (size) => {
    expect(await drills.room(onEjabberd, `formation${size}@conference.localhost`, size)).toEqual({ lost: [], doubled: [], tripled: [] })
  })
})
