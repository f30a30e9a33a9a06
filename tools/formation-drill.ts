// Several processes of one bot against one server, and a client that counts every reply to numbered messages.
import { type BotProcess, startBotProcess } from './bot-process.js'
import { connectPeer, type Peer, xml } from './peer.js'

export interface Member {
  readonly dyno: string
  readonly process: BotProcess
  /** Resolves once this process logs a formation of `size` members. */
  formed(size: number, ms?: number): Promise<unknown>
}

/** Starts a built bot script as one process of the formation, named by `DYNO` as Heroku would. */
export function startMember(script: string, dyno: string, env: Record<string, string>): Member {
  const process = startBotProcess(script, { ...env, DYNO: dyno })
  return {
    dyno,
    process,
    formed: (size, ms = 15_000) =>
      process.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith(`formation: ${size} member`), ms),
  }
}

/** Clients that send numbered messages, taking turns, and count the replies to each number. */
export interface Counter {
  readonly peers: readonly Peer[]
  /** How many replies each number got. */
  readonly replies: Map<number, number>
  /** How many replies came from each resource of the bot. */
  readonly answeredBy: Map<string, number>
  /** The DYNO (resource up to the boot id) that answered most so far. */
  busiest(): string | undefined
  /** Sends 1..count to `to`, one every `everyMs`, calling `at(n)` before sending n. */
  send(count: number, everyMs: number, at?: (n: number) => unknown | Promise<unknown>): Promise<void>
  /** Resolves once every number up to `count` has a reply, or after `ms`. */
  settled(count: number, ms?: number): Promise<void>
  /** The numbers that got no reply, and those that got more than one. */
  tally(count: number): { lost: number[]; doubled: number[] }
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
  const peers = await Promise.all(opts.senders.map((jid) => connectPeer({ service: opts.service, jid, password: opts.password })))
  const replies = new Map<number, number>()
  const answeredBy = new Map<string, number>()
  const waiters = new Set<() => void>()
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
  const complete = (count: number): boolean => {
    for (let n = 1; n <= count; n++) if (!replies.has(n)) return false
    return true
  }
  return {
    peers,
    replies,
    answeredBy,
    busiest() {
      const top = [...answeredBy].sort((a, b) => b[1] - a[1])[0]?.[0]
      return top?.split('.').slice(0, 2).join('.')
    },
    async send(count, everyMs, at) {
      for (let n = 1; n <= count; n++) {
        await at?.(n)
        await (peers[n % peers.length] as Peer).send(opts.message(n))
        await new Promise((resolve) => setTimeout(resolve, everyMs))
      }
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
      for (let n = 1; n <= count; n++) {
        const got = replies.get(n) ?? 0
        if (got === 0) lost.push(n)
        if (got > 1) doubled.push(n)
      }
      return { lost, doubled }
    },
  }
}

/** The echo bot's message and reply, numbered. */
export const echoChat = {
  message: (to: string) => (n: number) => xml('message', { to, type: 'chat', id: `n${n}` }, xml('body', {}, String(n))),
  reply: (stanza: ReturnType<typeof xml>): number | undefined => {
    const m = stanza.is('message') ? /^You said: (\d+)$/.exec(stanza.getChildText('body') ?? '') : null
    return m ? Number(m[1]) : undefined
  },
}
