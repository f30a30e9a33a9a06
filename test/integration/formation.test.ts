// Several processes of one bot (heroku ps:scale bot=N) against a real Prosody: every numbered message
// to the bot's bare JID must be answered exactly once, through steady state, handovers and crashes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../tools/prosody.js'
import { type Counter, echoChat, type Member, startCounter, startMember } from '../../tools/formation-drill.js'
import { connectPeer, xml } from '../../tools/peer.js'

const ECHO = 'dist/examples/echo.js'
const COMMANDS = 'dist/examples/commands.js'
const PASSWORD = 'pw-Formation-1'
/** Several conversations, so that each member of a formation owns some. */
const SENDERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map((name) => `${name}@localhost`)

let prosody: Prosody
let botJid: string
let env: Record<string, string>
const running: Member[] = []
const counters: Counter[] = []

beforeAll(async () => {
  prosody = await startProsody({ smacksHibernation: 120 })
  botJid = await prosody.register('fbot', PASSWORD)
  for (const sender of SENDERS) await prosody.register(sender.split('@')[0] as string, PASSWORD)
  env = { JID: botJid, JPASSWORD: PASSWORD, XMPP_SERVICE: prosody.service }
})

afterEach(async () => {
  for (const member of running.splice(0)) {
    member.process.kill('SIGTERM')
    await member.process.exited
  }
  for (const counter of counters.splice(0)) await Promise.all(counter.peers.map((peer) => peer.close()))
})

afterAll(async () => {
  await prosody?.stop()
})

function member(dyno: string): Member {
  const started = startMember(ECHO, dyno, env)
  running.push(started)
  return started
}

async function senders(): Promise<Counter> {
  const counter = await startCounter({ service: prosody.service, senders: SENDERS, password: PASSWORD, reply: echoChat.reply, message: echoChat.message(botJid) })
  counters.push(counter)
  return counter
}

describe('a formation on Prosody', () => {
  it('of 2 answers each message to the bare JID once, and gives a human on the account no work', async () => {
    const human = await connectPeer({ service: prosody.service, jid: botJid, password: PASSWORD, resource: 'phone' })
    await human.sendPresence()
    const one = member('bot.1')
    await one.formed(1)
    const two = member('bot.2')
    await Promise.all([one.formed(2), two.formed(2)])
    const counter = await senders()
    await counter.send(100, 5)
    await counter.settled(100)
    expect(counter.tally(100)).toEqual({ lost: [], doubled: [] })
    await human.close()
  })

  it('of 3 answers each message once', async () => {
    const members = ['bot.1', 'bot.2', 'bot.3'].map(member)
    await Promise.all(members.map((m) => m.formed(3)))
    const counter = await senders()
    await counter.send(150, 5)
    await counter.settled(150)
    expect(counter.tally(150)).toEqual({ lost: [], doubled: [] })
  })

  it('hands over on SIGTERM under traffic: the leaving process exits 0, nothing lost or doubled', async () => {
    const one = member('bot.1')
    const two = member('bot.2')
    await Promise.all([one.formed(2), two.formed(2)])
    const counter = await senders()
    let leaving: Member | undefined
    await counter.send(200, 10, (n) => {
      if (n !== 60) return
      leaving = counter.busiest() === 'bot.1' ? one : two
      leaving.process.kill('SIGTERM')
    })
    await counter.settled(200)
    expect(counter.tally(200)).toEqual({ lost: [], doubled: [] })
    expect((await leaving?.process.exited)?.code).toBe(0)
  })

  it('restarts as Heroku does: a new bot.1 starts before the old bot.1 stops; the old exits 0, nothing lost or doubled', async () => {
    const old = member('bot.1')
    await old.formed(1)
    const counter = await senders()
    let fresh: Member | undefined
    await counter.send(200, 10, async (n) => {
      if (n === 50) fresh = member('bot.1')
      if (n === 51) {
        await fresh?.formed(2)
        old.process.kill('SIGTERM')
      }
    })
    await counter.settled(200)
    expect(counter.tally(200)).toEqual({ lost: [], doubled: [] })
    expect((await old.process.exited).code).toBe(0)
  })

  it('scales up under traffic: nothing lost or doubled', async () => {
    const one = member('bot.1')
    await one.formed(1)
    const counter = await senders()
    await counter.send(200, 10, (n) => {
      if (n === 50) member('bot.2')
    })
    await counter.settled(200)
    expect(counter.tally(200)).toEqual({ lost: [], doubled: [] })
    expect(one.process.output()).toContain('formation: 2 members')
  })

  it('takes over from a process killed with SIGKILL under traffic: nothing lost, at most about a second doubled', async () => {
    const one = member('bot.1')
    const two = member('bot.2')
    await Promise.all([one.formed(2), two.formed(2)])
    const counter = await senders()
    const everyMs = 20
    let survivor = two
    await counter.send(400, everyMs, (n) => {
      if (n !== 100) return
      const [killed, other] = counter.busiest() === 'bot.1' ? [one, two] : [two, one]
      survivor = other
      killed.process.kill('SIGKILL')
    })
    await counter.settled(400, 20_000)
    const { lost, doubled } = counter.tally(400)
    expect(lost).toEqual([])
    expect(doubled.length).toBeLessThanOrEqual(1_500 / everyMs)
    await survivor.process.waitForLog((l) => l.msg === 'formation: a member stopped answering; taking over its share')
    const replayed = await survivor.process.waitForLog((l) => l.msg === 'formation: handling what it left unanswered')
    expect(replayed.stanzas).toBeGreaterThan(0)
  })
})

describe('a formation in a room', () => {
  const ROOM = 'formation@conference.localhost'

  async function roomSenders(): Promise<Counter> {
    const counter = await startCounter({
      service: prosody.service,
      senders: SENDERS.slice(0, 3),
      password: PASSWORD,
      firstOnly: true,
      message: (n) => xml('message', { to: ROOM, type: 'groupchat' }, xml('body', {}, `bot: echo ${n}`)),
      reply: (stanza) => {
        const m = stanza.is('message') && stanza.attrs.from === `${ROOM}/bot` && !stanza.getChild('delay') ? /^(\d+)$/.exec(stanza.getChildText('body') ?? '') : null
        return m ? Number(m[1]) : undefined
      },
    })
    counters.push(counter)
    await Promise.all(
      counter.peers.map(async (peer, i) => {
        await peer.sendPresence({ to: `${ROOM}/sender${i}` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' }))
        await peer.waitFor((s) => s.is('presence') && s.attrs.from === `${ROOM}/sender${i}`)
      }),
    )
    return counter
  }

  it.each([2, 3])('of %i processes, all in the room as one occupant, answers each addressed command once', async (size) => {
    const members = Array.from({ length: size }, (_, i) => {
      const started = startMember(COMMANDS, `bot.${i + 1}`, { ...env, XMPP_ROOMS: `${ROOM}/bot` })
      running.push(started)
      return started
    })
    await Promise.all(members.map((m) => m.formed(size)))
    await Promise.all(members.map((m) => m.process.waitForLog((l) => l.msg === 'joined room')))
    const counter = await roomSenders()
    await counter.send(60, 20)
    await counter.settled(60)
    expect(counter.tally(60)).toEqual({ lost: [], doubled: [] })
  })
})
