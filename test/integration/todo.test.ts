// The built todo example as a user runs it, checked by independent XMPP clients: its lists and a pending reminder
// outlive SIGTERM and a new process on the bot's own account, a new, empty XMPP server with PostgreSQL, and a
// SIGKILLed member of a formation of two.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type BotProcess, startBotProcess } from '../../tools/bot-process.js'
import { connectPeer, type Peer, type XmlElement, xml } from '../../tools/peer.js'
import { type Postgres, startPostgres } from '../support/postgres.js'

const TODO = 'dist/examples/todo.js'
const PASSWORD = 'pw-Todo-2718'
const REMINDER = '⏰ '

const processes: BotProcess[] = []
const peers: Peer[] = []

/** Starts the built todo example against `service`, as `DYNO` when given, and waits until it is online. */
async function startTodo(service: string, botJid: string, extra: Record<string, string> = {}): Promise<BotProcess> {
  const bot = startBotProcess(TODO, { JID: botJid, JPASSWORD: PASSWORD, XMPP_SERVICE: service, ...extra })
  processes.push(bot)
  await bot.waitForLog((l) => l.msg === 'online', 20_000)
  return bot
}

/** A user: an XMPP client, online, that counts the reminders it gets. */
interface User {
  readonly peer: Peer
  readonly reminders: string[]
  /** The items the bot confirmed adding, as often as it confirmed each. */
  readonly added: string[]
  /** Sends `body` to the bot and resolves with the bot's next reply that is not a reminder (and matches `reply`). */
  ask(body: string, reply?: RegExp, ms?: number): Promise<string>
}

async function connectUser(service: string, jid: string, botJid: string): Promise<User> {
  const peer = await connectPeer({ service, jid, password: PASSWORD })
  peers.push(peer)
  const reminders: string[] = []
  const added: string[] = []
  const fromBot = (s: XmlElement): boolean => s.is('message') && (s.attrs.from ?? '').startsWith(`${botJid}/`) && s.getChildText('body') !== null
  peer.client.on('stanza', (s) => {
    const body = s.getChildText('body') ?? ''
    if (fromBot(s) && body.startsWith(REMINDER)) reminders.push(body.slice(REMINDER.length))
    const confirmed = fromBot(s) ? /^Added #\d+: (.*)$/.exec(body) : null
    if (confirmed) added.push(confirmed[1] as string)
  })
  // Online, so that what the bot sends to the bare JID reaches this session.
  await peer.sendPresence()
  return {
    peer,
    reminders,
    added,
    async ask(body, match = /^(?!⏰)/u, ms = 10_000) {
      const reply = peer.waitFor((s) => fromBot(s) && match.test(s.getChildText('body') ?? ''), ms)
      await peer.send(xml('message', { to: botJid, type: 'chat' }, xml('body', {}, body)))
      return (await reply).getChildText('body') ?? ''
    },
  }
}

/** Resolves once `done()` holds, checked every 50 ms; rejects after `ms` naming `what`. */
async function until(what: string, done: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Resolves once `user` has had `count` reminders. */
function remindersCome(user: User, count: number, ms?: number): Promise<void> {
  return until(`${count} reminders to ${user.peer.jid} (got ${user.reminders.length})`, () => user.reminders.length >= count, ms)
}

async function stop(bot: BotProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  bot.kill(signal)
  return (await bot.exited).code
}

afterEach(async () => {
  for (const bot of processes.splice(0)) if (bot.child.exitCode === null && bot.child.signalCode === null) await stop(bot, 'SIGKILL')
  await Promise.all(peers.splice(0).map((peer) => peer.close()))
})

describe('the todo example on the bot’s own XMPP account', () => {
  let prosody: Prosody
  let botJid: string

  beforeAll(async () => {
    prosody = await startProsody({ muc: false })
    botJid = await prosody.register('todo', PASSWORD)
    await prosody.register('alice', PASSWORD)
  })
  afterAll(() => prosody?.stop())

  it('keeps the list and a pending reminder across SIGTERM and a new process, and sends the reminder once', async () => {
    const first = await startTodo(prosody.service, botJid)
    const alice = await connectUser(prosody.service, 'alice@localhost', botJid)
    expect(await alice.ask('todo list')).toBe('The list is empty.')
    expect(await alice.ask('todo add milk')).toBe('Added #1: milk')
    expect(await alice.ask('todo add eggs and flour')).toBe('Added #2: eggs and flour')
    expect(await alice.ask('todo add bread')).toBe('Added #3: bread')
    expect(await alice.ask('todo done 2')).toBe('Done: eggs and flour')
    expect(await alice.ask('remind 3 call mom')).toBe('OK, in 3 s.')
    expect(await stop(first)).toBe(0)
    expect(alice.reminders).toEqual([])

    const second = await startTodo(prosody.service, botJid)
    expect(await alice.ask('todo list')).toBe('1. milk\n2. bread')
    await remindersCome(alice, 1)
    expect(await stop(second)).toBe(0)

    // A third process finds nothing left to send: the reminder came once.
    await startTodo(prosody.service, botJid)
    expect(await alice.ask('todo list')).toBe('1. milk\n2. bread')
    expect(alice.reminders).toEqual(['call mom'])
  })
})

describe('the todo example with DATABASE_URL', () => {
  let postgres: Postgres

  beforeAll(async () => {
    postgres = await startPostgres({ tls: true })
  })
  afterAll(() => postgres?.stop())

  it('keeps the list and a pending reminder across a new, empty XMPP server', async () => {
    const env = { DATABASE_URL: `${await postgres.createDatabase('todo')}?sslmode=require` }
    const before = await startProsody({ muc: false })
    try {
      const botJid = await before.register('todo', PASSWORD)
      await before.register('alice', PASSWORD)
      const first = await startTodo(before.service, botJid, env)
      const alice = await connectUser(before.service, 'alice@localhost', botJid)
      expect(await alice.ask('todo add milk')).toBe('Added #1: milk')
      expect(await alice.ask('todo add bread')).toBe('Added #2: bread')
      expect(await alice.ask('remind 2 water the plants')).toBe('OK, in 2 s.')
      expect(await stop(first)).toBe(0)
      expect(alice.reminders).toEqual([])
    } finally {
      await before.stop()
    }

    const after = await startProsody({ muc: false })
    try {
      const botJid = await after.register('todo', PASSWORD)
      await after.register('alice', PASSWORD)
      await startTodo(after.service, botJid, env)
      const alice = await connectUser(after.service, 'alice@localhost', botJid)
      expect(await alice.ask('todo list')).toBe('1. milk\n2. bread')
      await remindersCome(alice, 1)
      expect(await alice.ask('todo list')).toBe('1. milk\n2. bread')
      expect(alice.reminders).toEqual(['water the plants'])
    } finally {
      await after.stop()
    }
  })
})

describe('the todo example as a formation of two', () => {
  let prosody: Prosody
  let botJid: string

  beforeAll(async () => {
    prosody = await startProsody({ muc: false, smacksHibernation: 120 })
    botJid = await prosody.register('todo', PASSWORD)
    await prosody.register('alice', PASSWORD)
    await prosody.register('bob', PASSWORD)
  })
  afterAll(() => prosody?.stop())

  it('keeps every item of two senders through a SIGKILL and a replacement, and delivers the reminders', { timeout: 90_000 }, async () => {
    const members = new Map([
      ['bot.1', await startTodo(prosody.service, botJid, { DYNO: 'bot.1' })],
      ['bot.2', await startTodo(prosody.service, botJid, { DYNO: 'bot.2' })],
    ])
    await Promise.all([...members.values()].map((m) => m.waitForLog((l) => Array.isArray(l.members) && l.members.length === 2, 20_000)))
    const users = [await connectUser(prosody.service, 'alice@localhost', botJid), await connectUser(prosody.service, 'bob@localhost', botJid)]
    const [alice, bob] = users as [User, User]
    const COUNT = 12
    /** Which member (by DYNO) answered each sender last. */
    const answeredBy = new Map<User, string>()
    for (const user of users)
      user.peer.client.on('stanza', (s) => {
        const resource = (s.attrs.from ?? '').split('/')[1]
        if (s.is('message') && s.attrs.from?.startsWith(`${botJid}/`) && resource) answeredBy.set(user, resource.split('.').slice(0, 2).join('.'))
      })
    const send = (user: User, body: string): Promise<void> => user.peer.send(xml('message', { to: botJid, type: 'chat' }, xml('body', {}, body)))

    for (let n = 1; n <= COUNT; n++) {
      if (n === COUNT / 2) {
        // Reminders due after the crash, then SIGKILL to the member that answers alice, and Heroku's replacement.
        expect(await alice.ask('remind 2 alice’s reminder', /^OK, in/)).toBe('OK, in 2 s.')
        expect(await bob.ask('remind 2 bob’s reminder', /^OK, in/)).toBe('OK, in 2 s.')
        const dyno = answeredBy.get(alice) ?? 'bot.1'
        await stop(members.get(dyno) as BotProcess, 'SIGKILL')
        members.set(dyno, startBotProcess(TODO, { JID: botJid, JPASSWORD: PASSWORD, XMPP_SERVICE: prosody.service, DYNO: dyno }))
        processes.push(members.get(dyno) as BotProcess)
      }
      await send(alice, `todo add a${n}`)
      await send(bob, `todo add b${n}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }

    await Promise.all(users.map((user) => remindersCome(user, 1, 30_000)))
    for (const [user, prefix] of [
      [alice, 'a'],
      [bob, 'b'],
    ] as const) {
      const sent = Array.from({ length: COUNT }, (_, i) => `${prefix}${i + 1}`)
      const unconfirmed = (): string[] => sent.filter((item) => !user.added.includes(item))
      await until(`every item of ${prefix} confirmed`, () => unconfirmed().length === 0, 30_000).catch((error: Error) => {
        throw new Error(`${error.message}; never confirmed: ${unconfirmed().join(' ')}`)
      })
      // Every item kept, save at most one doubled by the crash.
      const items = await listOf(user)
      const once = [...new Set(items)]
      expect(once.sort()).toEqual([...sent].sort())
      expect(items.length - once.length).toBeLessThanOrEqual(1)
      expect(user.reminders.length).toBeLessThanOrEqual(2)
    }
    expect(alice.reminders[0]).toBe('alice’s reminder')
    expect(bob.reminders[0]).toBe('bob’s reminder')
  })
})

/** The user's list as the bot shows it, once every item added has been answered. */
async function listOf(user: User): Promise<string[]> {
  const text = await user.ask('todo list', /^(1\. |The list is empty)/, 20_000)
  return text === 'The list is empty.' ? [] : text.split('\n').map((line) => line.replace(/^\d+\. /, ''))
}
