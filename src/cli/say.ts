import { randomUUID } from 'node:crypto'
import { type Bot, ExitCode, type Jid, StanzaError, type XmlElement, xml } from '../index.js'
import { NS_MUC } from '../ns.js'
import { discoInfo } from '../plugins/discovery/disco-queries.js'
import { readRoomSettings } from '../plugins/rooms/settings.js'
import { answered, Failure } from './failure.js'
import type { Io } from './io.js'
import type { OneOff } from './one-off.js'

/** What `natter say` was asked to send, and where. */
export interface Saying {
  readonly to: Jid
  readonly text: string
  /** The target is a room, whatever its disco says. */
  readonly room: boolean
  /** The nick to speak under in a room. */
  readonly nick: string | undefined
}

/**
 * `natter say`: sends one message as the bot and resolves once the server has it. A room (its
 * disco#info lists the MUC feature, or `room` is set) is joined, told and left; the room passing
 * the message back is the proof. Anyone else gets a chat message, followed by a ping of the server
 * as a barrier. Rejects with a {@link Failure} when the server or the room refuses the message.
 *
 * @example
 * ```ts
 * await say(session, { to: parseJid('ops@example.org')!, text: 'backup done', room: false, nick: undefined }, processIo)
 * ```
 */
export async function say(session: OneOff, saying: Saying, io: Io): Promise<void> {
  if (saying.room || (await isRoom(session.bot, saying.to, session.timeout))) await sayInRoom(session, saying, io)
  else await sayTo(session, saying, io)
}

async function sayTo({ bot, timeout }: OneOff, { to, text }: Saying, io: Io): Promise<void> {
  const id = `natter-say-${randomUUID()}`
  const answers = collect(bot, id)
  await bot.send(xml('message', { to: to.full, type: 'chat', id }, xml('body', {}, text)))
  // The server handles a stream's stanzas in order: once it answers a ping sent after the message,
  // it has routed the message, and a local recipient's refusal came back ahead of the answer. This
  // says what a stream management ack would, with or without stream management.
  await answered('the server', bot.ping(undefined, timeout))
  // Handlers of what arrived before the answer run in the turn it came in.
  await new Promise((resolve) => setImmediate(resolve))
  const refusal = answers.received.find((m) => m.attrs.type === 'error')
  if (refusal) throw new Failure(`${to.full}: not delivered (${StanzaError.fromStanza(refusal).condition})`, ExitCode.Unavailable)
  io.out(`sent to ${to.full}`)
}

async function sayInRoom({ bot, settings, timeout }: OneOff, { to, text, nick }: Saying, io: Io): Promise<void> {
  const room = to.bare
  // Under the bot's own nick unless told otherwise, as the bot would say it.
  const as = nick ?? readRoomSettings(undefined, process.env, settings.jid.local).find((r) => r.jid === room)?.nick ?? settings.jid.local
  await bot.rooms.join(room, { nick: as, timeout })
  const id = `natter-say-${randomUUID()}`
  const answers = collect(bot, id)
  await bot.send(xml('message', { to: room, type: 'groupchat', id }, xml('body', {}, text)))
  const answer = await answers.next(timeout, `${room}: the room did not pass the message on within ${timeout / 1000} s`)
  if (answer.attrs.type === 'error') throw new Failure(`${room}: not delivered (${StanzaError.fromStanza(answer).condition})`, ExitCode.Unavailable)
  await bot.rooms.leave(room)
  io.out(`said in ${room} as ${as}`)
}

/** Whether a bare JID is a group chat room: its disco#info lists the MUC feature. Accounts answer with an error or without it. */
async function isRoom(bot: Bot, jid: Jid, timeout: number): Promise<boolean> {
  if (!jid.local || jid.resource) return false
  try {
    return (await discoInfo(bot, jid.bare, timeout)).features.has(NS_MUC)
  } catch (error) {
    if (error instanceof StanzaError) return false
    throw error
  }
}

/** The messages that come back with the id of the one sent: a room passing it on, or an error. */
function collect(bot: Bot, id: string): { received: XmlElement[]; next(ms: number, timeoutMessage: string): Promise<XmlElement> } {
  const received: XmlElement[] = []
  const waiting = new Set<(stanza: XmlElement) => void>()
  bot.message({ id, type: ['groupchat', 'error'] }, (message) => {
    received.push(message.stanza)
    for (const wake of waiting) wake(message.stanza)
  })
  return {
    received,
    next(ms, timeoutMessage) {
      const first = received[0]
      if (first) return Promise.resolve(first)
      return new Promise((resolve, reject) => {
        const wake = (stanza: XmlElement): void => {
          clearTimeout(timer)
          waiting.delete(wake)
          resolve(stanza)
        }
        const timer = setTimeout(() => {
          waiting.delete(wake)
          reject(new Failure(timeoutMessage, ExitCode.Unavailable))
        }, ms)
        waiting.add(wake)
      })
    },
  }
}
