// The formation drills with state: a counter per sender (ctx.state) and a durable reminder per sender, carried
// across a SIGTERM handover and a SIGKILL takeover. Run by the integration tests against Prosody and ejabberd.
import { type Counter, type DrillSetup, type Member, startCounter, startMember } from './formation-drill.js'
import { type Peer, xml } from './peer.js'

/** The built bot the drills run: `count <n>`, `total` and `remind <ms> <text...>` (tools/counter-bot.ts). */
export const COUNTER_BOT = 'dist/tools/counter-bot.js'
/** How long after it is asked for each reminder is due: long enough to fall after the fault. */
const REMIND_IN_MS = 1_500
const SETTLE_MS = 20_000
/** A reminder whose process died while running it runs again once its claim is 30 s old (jobs.ts): wait past that. */
const REMINDER_MS = 45_000

/** What a state drill saw: replies as the formation drills count them, and what the store kept. */
export interface StateDrillResult {
  /** The numbers that got no reply, and those that got more than one. */
  readonly lost: number[]
  readonly doubled: number[]
  /** Over all senders: increments the counters lack, and increments they hold beyond what was sent. */
  readonly increments: { readonly lost: number; readonly extra: number }
  /**
   * Saves of a conversation's state refused because another process wrote it meanwhile (a handover whose
   * leaving member still finished messages it had taken in): each is logged as an error, its increment lost.
   */
  readonly conflicts: number
  /** Over all senders: reminders that never came, and those that came more than once. */
  readonly reminders: { readonly missing: number; readonly doubled: number }
}

const countMessage = (to: string) => (n: number) => xml('message', { to, type: 'chat' }, xml('body', {}, `count ${n}`))

function countReply(stanza: ReturnType<typeof xml>): number | undefined {
  const m = stanza.is('message') ? /^counted (\d+): \d+$/.exec(stanza.getChildText('body') ?? '') : null
  return m ? Number(m[1]) : undefined
}

/** Sends `body` to the bot and resolves with the body of the first reply matching `reply`. */
async function ask(peer: Peer, botJid: string, body: string, reply: RegExp, ms = 10_000): Promise<string> {
  const answer = peer.waitFor((s) => s.is('message') && reply.test(s.getChildText('body') ?? ''), ms)
  await peer.send(xml('message', { to: botJid, type: 'chat' }, xml('body', {}, body)))
  return (await answer).getChildText('body') ?? ''
}

/** Counts the reminders each peer gets from now on. */
function countReminders(peers: readonly Peer[]): Map<Peer, number> {
  const got = new Map(peers.map((peer) => [peer, 0]))
  for (const peer of peers)
    peer.client.on('stanza', (s) => {
      if (s.is('message') && (s.getChildText('body') ?? '').startsWith('reminder: ')) got.set(peer, (got.get(peer) ?? 0) + 1)
    })
  return got
}

async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
}

/**
 * Two members of the counter bot and a counter over every sender; each sender asks for a reminder, then
 * `count` numbered messages go out while `fault` strikes at a quarter of them; once every number is answered
 * (or 30 s passed), each sender asks for its total.
 */
async function drill(setup: DrillSetup, count: number, everyMs: number, fault: (members: Member[], counter: Counter) => unknown): Promise<StateDrillResult> {
  const env = { JID: setup.botJid, JPASSWORD: setup.password, XMPP_SERVICE: setup.service }
  const members = [startMember(COUNTER_BOT, 'bot.1', env), startMember(COUNTER_BOT, 'bot.2', env)]
  let counter: Counter | undefined
  try {
    await Promise.all(members.map((m) => m.formed(members)))
    counter = await startCounter({
      service: setup.service,
      senders: setup.senders,
      password: setup.password,
      message: countMessage(setup.botJid),
      reply: countReply,
    })
    const { peers } = counter
    await Promise.all(peers.map((peer) => peer.sendPresence()))
    // The counters carry on from any drill before on the same server: count from where they stand.
    const totalOf = async (peer: Peer): Promise<number> => Number(/^total: (\d+)$/.exec(await ask(peer, setup.botJid, 'total', /^total: \d+$/))?.[1])
    const before = await Promise.all(peers.map(totalOf))
    const reminders = countReminders(peers)
    await Promise.all(peers.map((peer, i) => ask(peer, setup.botJid, `remind ${REMIND_IN_MS} for sender ${i}`, /^reminding in/)))
    const strike = Math.floor(count / 4)
    await counter.send(count, everyMs, (n) => (n === strike ? fault(members, counter as Counter) : undefined))
    await counter.settled(count, SETTLE_MS)
    await until(() => [...reminders.values()].every((n) => n > 0), REMINDER_MS)
    let lostIncrements = 0
    let extraIncrements = 0
    for (const [i, peer] of peers.entries()) {
      let sent = 0
      for (let n = 1; n <= count; n++) if (n % peers.length === i) sent++
      const total = (await totalOf(peer)) - (before[i] ?? 0)
      lostIncrements += Math.max(0, sent - total)
      extraIncrements += Math.max(0, total - sent)
    }
    const got = [...reminders.values()]
    const conflicts = members.flatMap((m) => m.process.logs()).filter((l) => (l.err as { type?: string } | undefined)?.type === 'StoreConflictError')
    return {
      conflicts: conflicts.length,
      ...counter.tally(count),
      increments: { lost: lostIncrements, extra: extraIncrements },
      reminders: { missing: got.filter((n) => n === 0).length, doubled: got.filter((n) => n > 1).length },
    }
  } finally {
    for (const member of members) {
      member.process.kill('SIGTERM')
      await member.process.exited
    }
    await Promise.all(counter?.peers.map((peer) => peer.close()) ?? [])
  }
}

/** The member that answered most so far, by the DYNO its resource starts with. */
function busiest(members: Member[], counter: Counter): Member {
  return members.find((m) => m.dyno === counter.busiest()) ?? (members[0] as Member)
}

/** The state drills: the formation's faults, with a counter and a reminder per sender. */
export const stateDrills = {
  /** SIGTERM to the busier of two members under traffic: it hands its conversations over. */
  sigterm: (setup: DrillSetup, count = 120, everyMs = 10) =>
    drill(setup, count, everyMs, (members, counter) => busiest(members, counter).process.kill('SIGTERM')),

  /** SIGKILL to the busier of two members under traffic: the other takes over its share. */
  sigkill: (setup: DrillSetup, count = 120, everyMs = 20) =>
    drill(setup, count, everyMs, (members, counter) => busiest(members, counter).process.kill('SIGKILL')),
}
