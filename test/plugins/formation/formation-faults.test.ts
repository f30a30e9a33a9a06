// A formation member through faults: a stall longer than the takeover time, a sibling that stalls, dies, comes back
// or goes, and the lingering session of a killed process. Each on the test's clock (see FormationScene).
import { xml } from 'natter'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ownerAmong } from '../../../src/plugins/formation/members.js'
import { formationScene, SENDERS } from '../../support/formation-scene.js'
import { BOT, bodies, message } from '../../support/unit.js'

const SIBLING = 'bot@example.org/bot.2.bbbb'
const GHOST = 'bot@example.org/bot.1.gone'

/** The senders whose conversations `owner` owns in a formation of this bot and its sibling. */
const ownedBy = (owner: string) => SENDERS.filter((from) => ownerAmong(from.split('/')[0] as string, [BOT, SIBLING]) === owner)

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe('a formation member', () => {
  it('gives no work to the lingering session of a killed process, and counts a sibling in once it answers', async () => {
    const scene = await formationScene()
    await scene.sibling(GHOST, 'active')
    await scene.passes(3_000)
    expect(scene.bot.formation.members()).toEqual([BOT])
    expect(await scene.round()).toHaveLength(SENDERS.length)
    scene.running.add(SIBLING)
    await scene.sibling(SIBLING, 'active')
    await scene.passes(1_000)
    expect(scene.bot.formation.members()).toEqual([SIBLING, BOT].sort())
    expect(await scene.round()).toEqual(ownedBy(BOT))
  })

  it('takes over from a sibling that stopped answering what it left unanswered, and counts it back in when it answers again', async () => {
    const scene = await formationScene()
    scene.running.add(SIBLING)
    await scene.sibling(SIBLING, 'active')
    await scene.passes(1_000)
    scene.running.delete(SIBLING)
    await scene.passes(500)
    const before = scene.sent.length
    expect(await scene.round()).toEqual(ownedBy(BOT))
    await scene.passes(6_000)
    expect(scene.bot.formation.members()).toEqual([BOT])
    expect(scene.answeredSince(before).sort()).toEqual(SENDERS.slice().sort())
    scene.running.add(SIBLING)
    await scene.passes(2_000)
    expect(scene.bot.formation.members()).toEqual([SIBLING, BOT].sort())
  })

  it('after a stall longer than the takeover time, declares nobody dead, takes none of what waited, says since when it handled nothing, and joins again', async () => {
    const scene = await formationScene()
    scene.running.add(SIBLING)
    await scene.sibling(SIBLING, 'active')
    await scene.passes(1_000)
    const stalledAt = performance.now() + performance.timeOrigin
    scene.stall(8_000)
    // What waited in the socket: the siblings took it over meanwhile.
    expect(await scene.round('waited')).toEqual([])
    const { state, since } = scene.ownPresence()
    expect(state).toBe('joining')
    expect(Number(since)).toBeLessThanOrEqual(stalledAt)
    await scene.passes(4_000)
    expect(scene.ownPresence().state).toBe('active')
    expect(scene.bot.formation.members()).toEqual([SIBLING, BOT].sort())
    expect(await scene.round()).toEqual(ownedBy(BOT))
  })

  it('handles what a sibling back from a stall left unanswered since it stopped, unless a carbon shows it answered', async () => {
    const scene = await formationScene()
    scene.running.add(SIBLING)
    await scene.sibling(SIBLING, 'active')
    await scene.passes(1_000)
    const since = Math.round(performance.now() + performance.timeOrigin)
    await scene.passes(1_200)
    expect(await scene.round()).toEqual(ownedBy(BOT))
    const [answeredBySibling, ...unanswered] = ownedBy(SIBLING)
    await scene.carbon(SIBLING, answeredBySibling as string)
    const before = scene.sent.length
    await scene.sibling(SIBLING, 'joining', { since: String(since) })
    expect(scene.answeredSince(before).sort()).toEqual(unanswered.sort())
    expect(scene.bot.formation.members()).toEqual([BOT])
    await scene.sibling(SIBLING, 'active')
    expect(scene.bot.formation.members()).toEqual([SIBLING, BOT].sort())
  })

  it('handles what queued behind the one message a sibling answered before it died', async () => {
    const scene = await formationScene()
    scene.running.add(SIBLING)
    await scene.sibling(SIBLING, 'active')
    await scene.passes(1_000)
    const alice = ownedBy(SIBLING)[0] as string
    for (const body of ['one', 'two', 'three']) expect(bodies(await scene.receive(message({ from: alice, to: 'bot@example.org' }, body)))).toEqual([])
    // Its handler was slow: its one answer (to 'one') came after all three had come in.
    await scene.carbon(SIBLING, alice)
    await scene.passes(500)
    const before = scene.sent.length
    await scene.receive(xml('presence', { from: SIBLING, to: BOT, type: 'unavailable' }))
    expect(bodies(scene.sent.slice(before))).toEqual(['You said: two', 'You said: three'])
  })

  it('handles itself what a dead sibling left unanswered from before a newcomer took work, though the newcomer owns the conversation now', async () => {
    const NEWCOMER = 'bot@example.org/bot.3.cccc'
    const scene = await formationScene()
    scene.running.add(SIBLING)
    await scene.sibling(SIBLING, 'active')
    await scene.passes(1_000)
    const key = (from: string) => from.split('/')[0] as string
    const sender = SENDERS.find((from) => ownerAmong(key(from), [BOT, SIBLING]) === SIBLING && ownerAmong(key(from), [BOT, NEWCOMER]) === NEWCOMER) as string
    expect(bodies(await scene.receive(message({ from: sender, to: 'bot@example.org' }, 'before')))).toEqual([])
    // The newcomer joins and takes work: for it, what came before was the others'.
    scene.running.add(NEWCOMER)
    await scene.sibling(NEWCOMER, 'joining')
    await scene.passes(500)
    await scene.sibling(NEWCOMER, 'active')
    await scene.passes(500)
    const before = scene.sent.length
    await scene.receive(xml('presence', { from: SIBLING, to: BOT, type: 'unavailable' }))
    expect(bodies(scene.sent.slice(before))).toEqual(['You said: before'])
  })

  it('handles what a sibling gone without a word left unanswered', async () => {
    const scene = await formationScene()
    scene.running.add(SIBLING)
    await scene.sibling(SIBLING, 'active')
    await scene.passes(1_000)
    await scene.round()
    const before = scene.sent.length
    await scene.receive(xml('presence', { from: SIBLING, to: BOT, type: 'unavailable' }))
    expect(scene.answeredSince(before).sort()).toEqual(ownedBy(SIBLING).sort())
  })

  it('handles itself what the server kept and delivers to it alone while nobody takes work (offline storage, after the server restarted)', async () => {
    const scene = await formationScene()
    scene.running.add(SIBLING)
    await scene.sibling(SIBLING, 'active')
    await scene.passes(1_000)
    // Both come back after the server's restart: neither takes work yet.
    scene.stall(8_000)
    await scene.sibling(SIBLING, 'joining')
    expect(scene.ownPresence().state).toBe('joining')
    const stored = (from: string, body: string) =>
      message({ from, to: 'bot@example.org' }, body, xml('delay', { xmlns: 'urn:xmpp:delay', from: 'example.org', stamp: '2026-01-01T00:00:00Z' }))
    const theirs = ownedBy(SIBLING)[0] as string
    expect(bodies(await scene.receive(stored(theirs, 'kept')))).toEqual(['You said: kept'])
    // Once a sibling takes work, every member got its own copy of what the server delivers again: shared as ever.
    await scene.sibling(SIBLING, 'active')
    expect(bodies(await scene.receive(stored(theirs, 'again')))).toEqual([])
  })

  it("handles what crossed a leaving sibling's announcement unanswered once the sibling is gone, not what it answered or had long before", async () => {
    const scene = await formationScene()
    scene.running.add(SIBLING)
    await scene.sibling(SIBLING, 'active')
    await scene.passes(1_000)
    const [early, answered, crossed] = ownedBy(SIBLING) as [string, string, string]
    const say = (from: string, body: string) => scene.receive(message({ from, to: 'bot@example.org' }, body))
    expect(bodies(await say(early, 'early'))).toEqual([])
    await scene.passes(2_000)
    expect(bodies(await say(answered, 'answered'))).toEqual([])
    await scene.carbon(SIBLING, answered)
    // In the sibling's own stream this came after its announcement (ejabberd routes the two apart): it left it to the others.
    expect(bodies(await say(crossed, 'crossed'))).toEqual([])
    await scene.sibling(SIBLING, 'leaving')
    const before = scene.sent.length
    await scene.receive(xml('presence', { from: SIBLING, to: BOT, type: 'unavailable' }))
    expect(bodies(scene.sent.slice(before))).toEqual(['You said: crossed'])
  })

  it("holds the next messages of a conversation a leaving sibling may still be busy with until its session ends, and answers the others' at once", async () => {
    const scene = await formationScene()
    scene.running.add(SIBLING)
    await scene.sibling(SIBLING, 'active')
    await scene.passes(1_000)
    const [busy, idle] = ownedBy(SIBLING) as [string, string]
    const say = (from: string, body: string) => scene.receive(message({ from, to: 'bot@example.org' }, body))
    expect(bodies(await say(busy, 'one'))).toEqual([])
    await scene.carbon(SIBLING, busy)
    await scene.sibling(SIBLING, 'leaving')
    // The sibling may still be saving what 'one' changed: 'two' and 'three' wait for it, in order.
    expect(bodies(await say(busy, 'two'))).toEqual([])
    expect(bodies(await say(idle, 'hello'))).toEqual(['You said: hello'])
    expect(bodies(await say(busy, 'three'))).toEqual([])
    await scene.passes(1_000)
    const before = scene.sent.length
    await scene.receive(xml('presence', { from: SIBLING, to: BOT, type: 'unavailable' }))
    expect(bodies(scene.sent.slice(before))).toEqual(['You said: two', 'You said: three'])
    expect(bodies(await say(busy, 'four'))).toEqual(['You said: four'])
  })

  it('answers what it held for a leaving sibling once the sibling is taken over, or its shutdown deadline passed', async () => {
    const scene = await formationScene()
    scene.running.add(SIBLING)
    await scene.sibling(SIBLING, 'active')
    await scene.passes(1_000)
    const busy = ownedBy(SIBLING)[0] as string
    const say = (from: string, body: string) => scene.receive(message({ from, to: 'bot@example.org' }, body))
    await say(busy, 'one')
    await scene.carbon(SIBLING, busy)
    await scene.sibling(SIBLING, 'leaving')
    expect(bodies(await say(busy, 'two'))).toEqual([])
    // It dies while it finishes: taken over once silent for the takeover time.
    scene.running.delete(SIBLING)
    const before = scene.sent.length
    await scene.passes(7_000)
    expect(bodies(scene.sent.slice(before))).toEqual(['You said: two'])

    const other = await formationScene()
    other.running.add(SIBLING)
    await other.sibling(SIBLING, 'active')
    await other.passes(1_000)
    await other.receive(message({ from: busy, to: 'bot@example.org' }, 'one'))
    await other.sibling(SIBLING, 'leaving')
    expect(bodies(await other.receive(message({ from: busy, to: 'bot@example.org' }, 'two')))).toEqual([])
    const held = other.sent.length
    // It answers pings but its session never ends: the shutdown deadline (20 s by default) bounds the wait.
    await other.passes(15_000)
    expect(bodies(other.sent.slice(held))).toEqual([])
    await other.passes(10_000)
    expect(bodies(other.sent.slice(held))).toEqual(['You said: two'])
  })

  it('handles what queued unanswered behind a slow handler of a sibling that died, though the sibling had read it long before', async () => {
    const scene = await formationScene()
    scene.running.add(SIBLING)
    await scene.sibling(SIBLING, 'active')
    await scene.passes(1_000)
    const [alice, bob] = ownedBy(SIBLING) as [string, string]
    const say = (from: string, body: string) => scene.receive(message({ from, to: 'bot@example.org' }, body))
    for (const body of ['one', 'two', 'three']) expect(bodies(await say(alice, body))).toEqual([])
    expect(bodies(await say(bob, 'quiet'))).toEqual([])
    await scene.carbon(SIBLING, alice)
    // It goes on answering pings for seconds while 'two' and 'three' queue behind a slow save of 'one'; then it dies.
    await scene.passes(3_000)
    scene.running.delete(SIBLING)
    const before = scene.sent.length
    await scene.passes(7_000)
    expect(scene.bot.formation.members()).toEqual([BOT])
    // Bob's conversation, where it answered nothing, counts as handled once read: a bot need not reply to everything.
    expect(bodies(scene.sent.slice(before))).toEqual(['You said: two', 'You said: three'])
  })
})
