// Several processes of one bot against one server, and a client that counts every reply to numbered messages.
import { type BotProcess, startBotProcess } from './bot-process.js'
import { connectPeer, type Peer, xml } from './peer.js'

export interface Member {
  readonly dyno: string
  readonly process: BotProcess
  /** Its full JID, once online. */
  jid(): Promise<string>
  /**
   * Resolves once this process sees a formation of exactly `crew` (itself included): members the
   * server still keeps from killed processes must have been found out first.
   */
  formed(crew: readonly Member[], ms?: number): Promise<unknown>
}

/** Starts a built bot script as one process of the formation, named by `DYNO` as Heroku would. */
export function startMember(script: string, dyno: string, env: Record<string, string>): Member {
  const process = startBotProcess(script, { ...env, DYNO: dyno })
  return {
    dyno,
    process,
    jid: async () => String((await process.waitForLog((l) => l.msg === 'online')).jid),
    async formed(crew, ms = 20_000) {
      const wanted = (await Promise.all(crew.map((m) => m.jid()))).sort().join(' ')
      return process.waitForLog((l) => typeof l.msg === 'string' && Array.isArray(l.members) && [...(l.members as string[])].sort().join(' ') === wanted, ms)
    },
  }
}

/** Clients that send numbered messages, taking turns, and count the replies to each number. */
export interface Counter {
  peers: readonly Peer[]
  /** How many replies each number got. */
  readonly replies: Map<number, number>
  /** How many replies came from each resource of the bot. */
  readonly answeredBy: Map<string, number>
  /** The DYNO (resource up to the boot id) that answered most so far. */
  busiest(): string | undefined
  /** Sends `first`..count (from 1 by default), one every `everyMs`, calling `at(n)` before sending n. */
  send(count: number, everyMs: number, at?: (n: number) => unknown | Promise<unknown>, first?: number): Promise<void>
  /** Resolves once every number up to `count` has a reply, or after `ms`. */
  settled(count: number, ms?: number): Promise<void>
  /** The numbers that got no reply, those that got more than one, and those that got more than two. */
  tally(count: number): Tally
  /** Connects the senders again, after the server's restart; what could not be sent meanwhile is not counted. */
  reconnect(): Promise<void>
}

/** What a drill counted: numbers without a reply, with two or more, with three or more. */
export interface Tally {
  readonly lost: number[]
  readonly doubled: number[]
  readonly tripled: number[]
}

/**
 * Connects counting clients, one per sender account: several conversations, so that every member of
 * a formation gets a share. `reply` reads the number a reply answers (or undefined for anything else);
 * `message` builds the message for a number.
 */
export async function startCounter(opts: {
  service: string
  senders: readonly string[]
  password: string
  message: (n: number) => ReturnType<typeof xml>
  reply: (stanza: ReturnType<typeof xml>) => number | undefined
  /** Count at the first sender only: in a room every occupant gets every reply. */
  firstOnly?: boolean
}): Promise<Counter> {
  const replies = new Map<number, number>()
  const answeredBy = new Map<string, number>()
  const unsent = new Set<number>()
  const waiters = new Set<() => void>()
  const connect = async (): Promise<Peer[]> => {
    const peers = await Promise.all(opts.senders.map((jid) => connectPeer({ service: opts.service, jid, password: opts.password })))
    for (const peer of opts.firstOnly ? peers.slice(0, 1) : peers) {
      peer.client.on('stanza', (stanza) => {
        const n = opts.reply(stanza)
        if (n === undefined) return
        replies.set(n, (replies.get(n) ?? 0) + 1)
        const resource = (stanza.attrs.from ?? '').split('/')[1] ?? ''
        answeredBy.set(resource, (answeredBy.get(resource) ?? 0) + 1)
        for (const w of waiters) w()
      })
    }
    return peers
  }
  const complete = (count: number): boolean => {
    for (let n = 1; n <= count; n++) if (!replies.has(n) && !unsent.has(n)) return false
    return true
  }
  const counter: Counter = {
    peers: await connect(),
    replies,
    answeredBy,
    busiest() {
      const top = [...answeredBy].sort((a, b) => b[1] - a[1])[0]?.[0]
      return top?.split('.').slice(0, 2).join('.')
    },
    async send(count, everyMs, at, first = 1) {
      for (let n = first; n <= count; n++) {
        await at?.(n)
        await (counter.peers[n % counter.peers.length] as Peer).send(opts.message(n)).catch(() => unsent.add(n))
        await new Promise((resolve) => setTimeout(resolve, everyMs))
      }
    },
    async reconnect() {
      await Promise.all(counter.peers.map((peer) => peer.close()))
      counter.peers = await connect()
    },
    settled(count, ms = 20_000) {
      return new Promise((resolve) => {
        const done = (): void => {
          clearTimeout(timer)
          waiters.delete(check)
          resolve()
        }
        const check = (): void => {
          if (complete(count)) done()
        }
        const timer = setTimeout(done, ms)
        waiters.add(check)
        check()
      })
    },
    tally(count) {
      const lost: number[] = []
      const doubled: number[] = []
      const tripled: number[] = []
      for (let n = 1; n <= count; n++) {
        const got = replies.get(n) ?? 0
        if (got === 0 && !unsent.has(n)) lost.push(n)
        if (got > 1) doubled.push(n)
        if (got > 2) tripled.push(n)
      }
      return { lost, doubled, tripled }
    },
  }
  return counter
}

/** The echo bot's message and reply, numbered. */
export const echoChat = {
  message: (to: string) => (n: number) => xml('message', { to, type: 'chat', id: `n${n}` }, xml('body', {}, String(n))),
  reply: (stanza: ReturnType<typeof xml>): number | undefined => {
    const m = stanza.is('message') ? /^You said: (\d+)$/.exec(stanza.getChildText('body') ?? '') : null
    return m ? Number(m[1]) : undefined
  },
}

/** Where a drill runs: the server, the bot's account, and the accounts that send. */
export interface DrillSetup {
  readonly service: string
  readonly botJid: string
  readonly password: string
  /** Bare JIDs of sender accounts (several conversations, so that every member owns some). */
  readonly senders: readonly string[]
  /** Built bot scripts: an echo bot, and a command bot with `echo <text...>`. */
  readonly echoScript: string
  readonly commandScript: string
}

/** What a drill saw: every number's replies, and for a crash how long until a survivor took over. */
export interface DrillResult extends Tally {
  /** SIGKILL to the survivor's takeover, in ms. */
  readonly takeoverMs?: number
  /** The stopped process's exit code, for a drill that stops one. */
  readonly exitCode?: number | null
}

/** A private server the drills run against: Prosody or ejabberd. */
export interface DrillServer {
  readonly service: string
  readonly domain: string
  register(user: string, password: string): Promise<string>
}

/** Registers the bot's account and six senders on a private server, for the drills run against it. */
export async function prepareDrills(server: DrillServer, password: string): Promise<DrillSetup> {
  const senders = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']
  for (const sender of senders) await server.register(sender, password)
  return {
    service: server.service,
    botJid: await server.register('fbot', password),
    password,
    senders: senders.map((name) => `${name}@${server.domain}`),
    echoScript: 'dist/examples/echo.js',
    commandScript: 'dist/examples/commands.js',
  }
}

/** Runs `drill` with fresh members and senders, and stops whatever it started, whatever happens. */
export async function withCrew<T>(setup: DrillSetup, drill: (crew: Crew) => Promise<T>): Promise<T> {
  const members: Member[] = []
  const counters: Counter[] = []
  const env = { JID: setup.botJid, JPASSWORD: setup.password, XMPP_SERVICE: setup.service }
  const crew: Crew = {
    member(dyno, extra = {}, script = setup.echoScript) {
      const started = startMember(script, dyno, { ...env, ...extra })
      members.push(started)
      return started
    },
    async chats() {
      const counter = await startCounter({
        service: setup.service,
        senders: setup.senders,
        password: setup.password,
        reply: echoChat.reply,
        message: echoChat.message(setup.botJid),
      })
      counters.push(counter)
      return counter
    },
    async room(room, senders) {
      const counter = await startCounter({
        service: setup.service,
        senders: setup.senders.slice(0, senders),
        password: setup.password,
        firstOnly: true,
        message: (n) => xml('message', { to: room, type: 'groupchat' }, xml('body', {}, `bot: echo ${n}`)),
        reply: (stanza) => {
          const fromBot = stanza.is('message') && stanza.attrs.from === `${room}/bot` && !stanza.getChild('delay')
          const m = fromBot ? /^(\d+)$/.exec(stanza.getChildText('body') ?? '') : null
          return m ? Number(m[1]) : undefined
        },
      })
      counters.push(counter)
      await Promise.all(
        counter.peers.map(async (peer, i) => {
          await peer.sendPresence({ to: `${room}/sender${i}` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' }))
          await peer.waitFor((s) => s.is('presence') && s.attrs.from === `${room}/sender${i}`)
        }),
      )
      return counter
    },
  }
  try {
    return await drill(crew)
  } finally {
    for (const member of members) {
      member.process.kill('SIGTERM')
      await member.process.exited
    }
    for (const counter of counters) await Promise.all(counter.peers.map((peer) => peer.close()))
  }
}

export interface Crew {
  member(dyno: string, env?: Record<string, string>, script?: string): Member
  chats(): Promise<Counter>
  room(room: string, senders: number): Promise<Counter>
}

/** The formation scenarios, each as a user or Heroku would bring it about. */
export const drills = {
  /** `size` processes side by side, `count` messages. */
  steady: (setup: DrillSetup, size: number, count = 100) =>
    withCrew(setup, async (crew) => {
      const members = Array.from({ length: size }, (_, i) => crew.member(`bot.${i + 1}`))
      await Promise.all(members.map((m) => m.formed(members)))
      const counter = await crew.chats()
      await counter.send(count, 5)
      await counter.settled(count)
      return counter.tally(count) satisfies DrillResult
    }),

  /** Two processes; SIGTERM to the busier one under traffic. */
  sigterm: (setup: DrillSetup, count = 200) =>
    withCrew(setup, async (crew): Promise<DrillResult> => {
      const one = crew.member('bot.1')
      const two = crew.member('bot.2')
      await Promise.all([one.formed([one, two]), two.formed([one, two])])
      const counter = await crew.chats()
      let leaving = one
      await counter.send(count, 10, (n) => {
        if (n !== Math.floor(count / 3)) return
        leaving = counter.busiest() === 'bot.2' ? two : one
        leaving.process.kill('SIGTERM')
      })
      await counter.settled(count)
      return { ...counter.tally(count), exitCode: (await leaving.process.exited).code }
    }),

  /** A restart as Heroku does it: a new bot.1 comes up, then the old bot.1 gets SIGTERM. */
  overlap: (setup: DrillSetup, count = 200) =>
    withCrew(setup, async (crew): Promise<DrillResult> => {
      const old = crew.member('bot.1')
      await old.formed([old])
      const counter = await crew.chats()
      let fresh: Member | undefined
      await counter.send(count, 10, async (n) => {
        if (n === Math.floor(count / 4)) fresh = crew.member('bot.1')
        if (n === Math.floor(count / 4) + 1) {
          if (fresh) await fresh.formed([old, fresh])
          old.process.kill('SIGTERM')
        }
      })
      await counter.settled(count)
      return { ...counter.tally(count), exitCode: (await old.process.exited).code }
    }),

  /** A restart as Heroku really times it: SIGTERM to the old bot.1 the moment the new one starts, before it is online. */
  overlapAtOnce: (setup: DrillSetup, count = 200) =>
    withCrew(setup, async (crew): Promise<DrillResult> => {
      const old = crew.member('bot.1')
      await old.formed([old])
      const counter = await crew.chats()
      await counter.send(count, 10, (n) => {
        if (n !== Math.floor(count / 4)) return
        crew.member('bot.1')
        old.process.kill('SIGTERM')
      })
      await counter.settled(count)
      return { ...counter.tally(count), exitCode: (await old.process.exited).code }
    }),

  /** A restart with a gap: the old process stops, messages keep coming, the new one starts 2 s later. */
  gap: (setup: DrillSetup, count = 200) =>
    withCrew(setup, async (crew): Promise<DrillResult> => {
      const old = crew.member('bot.1')
      await old.formed([old])
      const counter = await crew.chats()
      await counter.send(count, 10, async (n) => {
        if (n === Math.floor(count / 4)) old.process.kill('SIGTERM')
        if (n === Math.floor(count / 4) + 1) await old.process.exited
        if (n === Math.floor(count / 2)) crew.member('bot.1')
      })
      await counter.settled(count)
      return { ...counter.tally(count), exitCode: (await old.process.exited).code }
    }),

  /** One process, a second one started under traffic. */
  scaleUp: (setup: DrillSetup, count = 200) =>
    withCrew(setup, async (crew): Promise<DrillResult> => {
      const one = crew.member('bot.1')
      await one.formed([one])
      const counter = await crew.chats()
      await counter.send(count, 10, (n) => {
        if (n === Math.floor(count / 4)) crew.member('bot.2')
      })
      await counter.settled(count)
      return counter.tally(count)
    }),

  /** Two processes; SIGKILL to the busier one under traffic. */
  sigkill: (setup: DrillSetup, count = 400, everyMs = 20) =>
    withCrew(setup, async (crew): Promise<DrillResult> => {
      const one = crew.member('bot.1')
      const two = crew.member('bot.2')
      await Promise.all([one.formed([one, two]), two.formed([one, two])])
      const counter = await crew.chats()
      let [killed, survivor] = [one, two]
      let killedAt = 0
      await counter.send(count, everyMs, (n) => {
        if (n !== Math.floor(count / 4)) return
        if (counter.busiest() === 'bot.2') [killed, survivor] = [two, one]
        killedAt = Date.now()
        killed.process.kill('SIGKILL')
      })
      await counter.settled(count, 20_000)
      const killedJid = await killed.jid()
      const takeover = await survivor.process.waitForLog(
        (l) => l.msg === 'formation: a member stopped answering; taking over its share' && l.member === killedJid,
      )
      return { ...counter.tally(count), takeoverMs: Number(takeover.time) - killedAt }
    }),

  /** `size` processes in one room as one occupant, commands addressed to the bot's nick. */
  room: (setup: DrillSetup, room: string, size: number, count = 60) =>
    withCrew(setup, async (crew): Promise<DrillResult> => {
      const members = Array.from({ length: size }, (_, i) => crew.member(`bot.${i + 1}`, { XMPP_ROOMS: `${room}/bot` }, setup.commandScript))
      await Promise.all(members.map((m) => m.formed(members)))
      await Promise.all(members.map((m) => m.process.waitForLog((l) => l.msg === 'joined room')))
      const counter = await crew.room(room, 3)
      await counter.send(count, 20)
      await counter.settled(count)
      return counter.tally(count)
    }),
}
