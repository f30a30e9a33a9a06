import { createBot, StanzaError, xml } from '../../index.js'
import { SessionLog } from '../session-log.js'

/**
 * Who talks to the bot in the sandbox, and what they are told.
 *
 * @example
 * ```ts
 * const options: UserSessionOptions = { service, jid: 'me@localhost', password, bot: 'bot@localhost', note: print, message: print, lost: quit }
 * ```
 */
export interface UserSessionOptions {
  /** The sandbox's Prosody: `xmpp://127.0.0.1:<port>`. */
  readonly service: string
  /** The user's account, e.g. `me@localhost`, and its password. */
  readonly jid: string
  readonly password: string
  /** The bot's bare JID. */
  readonly bot: string
  /** Something worth a line: the bot came online or went away, a subscription, a refused message, a problem. */
  readonly note: (line: string) => void
  /** A message from the bot, with its text and its thread, if any. */
  readonly message: (body: string, thread: string | undefined) => void
  /** A message in a room the user joined: the room, the sender's nick and the text. */
  readonly roomMessage: (room: string, nick: string, body: string) => void
  /** The session is gone (the server went away, or the login failed); it does not come back. */
  readonly lost: (reason: string) => void
}

/**
 * The user's side of the chat with the bot.
 *
 * @example
 * ```ts
 * await me.botOnline
 * await me.say('hello')
 * ```
 */
export interface UserSession {
  /** Resolves once the bot's presence shows it online (for bots that approve the user's subscription). */
  readonly botOnline: Promise<void>
  /** Sends the bot a chat message, in `thread` when given. */
  say(text: string, thread?: string): Promise<void>
  /** Joins a room as `me`, creating it if it is new; resolves once in. */
  join(room: string): Promise<void>
  /** Says something in a room joined. */
  sayInRoom(room: string, text: string): Promise<void>
  /** Leaves a room. */
  leave(room: string): Promise<void>
  /** Says goodbye and closes the stream within `ms`. */
  stop(ms: number): Promise<void>
}

const GIVE_UP_MS = 15_000

/**
 * Logs in as the user, a natter bot of its own that plays an XMPP client: it asks to see the bot's
 * presence, approves the bot's request to see its own, and passes on what the bot says. It never
 * reconnects: the sandbox lives as long as this session.
 *
 * @example
 * ```ts
 * const me = await connectUser({ service, jid: 'me@localhost', password, bot: 'bot@localhost', note: print, message: print, lost: quit })
 * await me.say('hello')
 * ```
 */
export async function connectUser(options: UserSessionOptions): Promise<UserSession> {
  const { bot, note } = options
  const log = new SessionLog((line) => note(line), false)
  // Its settings are these alone: none of the user's JID, XMPP_* or .env reaches it.
  const me = createBot({
    jid: options.jid,
    password: options.password,
    service: options.service,
    resource: 'dev',
    env: {},
    rooms: [],
    formation: false,
    logLevel: 'warn',
    logDestination: log.stream,
    // The server was started a moment ago, on this machine: if it cannot be reached now, it will not be.
    reconnect: { giveUpAfter: GIVE_UP_MS },
  })
  let online!: () => void
  const botOnline = new Promise<void>((resolve) => (online = resolve))
  me.presence({ from: bot, type: 'available' }, (presence) => {
    note(`${presence.from} is online`)
    online()
  })
  me.presence({ from: bot, type: 'unavailable' }, (presence) => note(`${presence.from} is offline`))
  me.presence({ from: bot, type: 'error' }, (presence) => note(`presence error from ${presence.from}: ${StanzaError.fromStanza(presence.stanza).condition}`))
  me.subscription({ from: bot, type: 'subscribe' }, (request) => {
    // The bot asks to see the user's presence in turn: approve, as a friendly client would.
    note(`${bot} asked to see your presence: approved`)
    return request.approve()
  })
  me.subscription({ from: bot, type: 'subscribed' }, () => note(`${bot} accepted your subscription`))
  me.subscription({ from: bot, type: 'unsubscribed' }, () => note(`${bot} refused or cancelled your subscription`))
  me.message({ type: 'error' }, (message) => note(`message to ${message.from} failed: ${StanzaError.fromStanza(message.stanza).condition}`))
  me.message({ type: 'groupchat', body: true }, (message) => options.roomMessage(message.room ?? '', message.nick ?? '', message.body))
  me.message({ from: bot, body: true }, (message) => options.message(message.body, message.thread))

  let stopping = false
  const lose = (reason: string): void => {
    if (stopping) return
    stopping = true
    options.lost(reason)
  }
  me.on('disconnected', () => lose('disconnected from Prosody'))
  me.on('error', (error) => lose(error.message))
  await me.start()
  await me.send(xml('presence', { to: bot, type: 'subscribe' }))
  return {
    botOnline,
    say: (text, thread) => me.send(xml('message', { to: bot, type: 'chat' }, xml('body', {}, text), thread !== undefined && xml('thread', {}, thread))),
    join: (room) => me.rooms.join(room, { nick: 'me' }),
    sayInRoom: (room, text) => me.rooms.say(room, text),
    leave: (room) => me.rooms.leave(room),
    async stop(ms) {
      stopping = true
      await me.stop(ms)
    },
  }
}
