import { randomBytes } from 'node:crypto'
import { ExitCode } from '../../index.js'
import { exitCodeFor, Failure } from '../failure.js'
import { AnswerWatch, ask } from './ask.js'
import { sandboxEnv } from './bot-env.js'
import { botLines } from './bot-lines.js'
import { type BotProcess, startBotProcess } from './bot-process.js'
import { botCommand } from './procfile.js'
import { portsInUse } from './servers/live-servers.js'
import { freePort } from './servers/loopback-ports.js'
import { ensureProsody, type Prosody, startProsody } from './servers/prosody.js'
import type { Terminal } from './terminal.js'
import { checkTypeStripping } from './type-stripping.js'
import { connectUser, type UserSession } from './user-session.js'

/**
 * What `natter dev` was asked to do.
 *
 * @example
 * ```ts
 * const options: SandboxOptions = { dir: process.cwd(), port: 5333, say: undefined, timeout: 30_000 }
 * ```
 */
export interface SandboxOptions {
  /** The bot project, whose Procfile's `bot:` line runs there. */
  readonly dir: string
  /** Prosody's port; undefined for a free one. */
  readonly port: number | undefined
  /** Send this, print the bot's answer and stop; undefined for the terminal chat. */
  readonly say: string | undefined
  /** How long `say` waits for the answer, in ms. */
  readonly timeout: number
  /** Leave Prosody running, data and accounts, when it ends, and print how to use it. */
  readonly keep?: boolean
}

const BOT = 'bot'
const USER = 'me'
/** What a platform gives a process between SIGTERM and SIGKILL. */
const BOT_STOP_GRACE_MS = 30_000
const USER_STOP_MS = 2_000
/** The bot's last lines, shown when it fails in `--say` mode, where its output is not printed as it comes. */
const KEPT_LINES = 10
/** The sandbox's room service, where `/join <name>` goes. */
const ROOM_SERVICE = 'conference.localhost'
const SIGNALS = [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const

/**
 * `natter dev`: a private Prosody, the bot's and a user's accounts on it, the project's Procfile
 * `bot:` line running with `-D` against it, and a chat with it as the user on the terminal (or, with
 * `say`, one message and its answer on stdout). Resolves with the exit code once everything it
 * started is stopped: 0 after `/quit`, Ctrl-D or Ctrl-C at the prompt or an answer to `say`; 128 +
 * the signal's number when signalled; 66 without a Procfile `bot:` line; 69 when Prosody is missing
 * or the answer never came; the bot's own exit code (70 if none) when it stopped by itself.
 *
 * @example
 * ```ts
 * const code = await runSandbox({ dir: process.cwd(), port: undefined, say: 'hello', timeout: 30_000 }, terminal)
 * ```
 */
export function runSandbox(options: SandboxOptions, terminal: Terminal): Promise<number> {
  return new Sandbox(options, terminal).run()
}

class Sandbox {
  #prosody: Prosody | undefined
  #bot: BotProcess | undefined
  #me: UserSession | undefined
  #stopping: Promise<void> | undefined
  /** A signal that arrived decides the exit code, and silences what stopping brings up. */
  #signalled: number | undefined
  readonly #kept: string[] = []
  /** The accounts, for `--keep`'s closing lines. */
  #accounts: { bot: string; botPassword: string; user: string; userPassword: string; line: string } | undefined
  /** The room the prompt talks to, after `/join`; undefined for the bot. */
  #room: string | undefined
  readonly #done: Promise<number>
  #finish!: (code: number) => void

  constructor(
    private readonly options: SandboxOptions,
    private readonly terminal: Terminal,
  ) {
    this.#done = new Promise((resolve) => (this.#finish = resolve))
  }

  get #interactive(): boolean {
    return this.options.say === undefined
  }

  async run(): Promise<number> {
    const handlers = SIGNALS.map(([signal, code]) => {
      const handler = (): void => {
        this.#signalled ??= code
        this.#stop(code)
      }
      process.on(signal, handler)
      return () => process.off(signal, handler)
    })
    this.#start().catch((error: unknown) => this.#fail(error))
    try {
      return await this.#done
    } finally {
      for (const remove of handlers) remove()
    }
  }

  async #start(): Promise<void> {
    const { dir, port, say, timeout } = this.options
    const command = await botCommand(dir)
    await checkTypeStripping(command, dir, process.env)
    await ensureProsody({ install: true }).catch(unavailable)
    if (this.#interactive) this.terminal.out('natter dev: starting a private Prosody and your bot...')
    this.#prosody = await startProsody({ port }).catch(unavailable)
    const prosody = this.#prosody
    const botPassword = randomBytes(12).toString('base64url')
    const userPassword = randomBytes(12).toString('base64url')
    const botJid = await prosody.register(BOT, botPassword)
    const userJid = await prosody.register(USER, userPassword)
    // A signal while Prosody came up: start nothing more. Prosody goes with this process.
    if (this.#stopping) return

    const line = `${command} -D`
    this.#accounts = { bot: botJid, botPassword, user: userJid, userPassword, line: command }
    // The one process serves the web side too, as a web: line of the same bot file would.
    const webPort = await freePort(portsInUse())
    const bot = startBotProcess({
      command: line,
      cwd: dir,
      env: { ...sandboxEnv(process.env, { jid: botJid, password: botPassword, service: prosody.service }), PORT: String(webPort) },
      line: (text, stream) => this.#botLine(text, stream),
    })
    this.#bot = bot
    const gone = bot.ended.then(({ code, signal }): never => {
      const how = signal ?? (code === null ? 'it did not start' : `exit code ${code}`)
      throw new Failure(`the bot exited (${how})${this.#interactive ? '' : ' before it answered'}`, code || ExitCode.Software)
    })
    gone.catch((error: unknown) => this.#fail(error))

    const watch = new AnswerWatch()
    const me = await connectUser({
      service: prosody.service,
      jid: userJid,
      password: userPassword,
      bot: botJid,
      note: (text) => {
        // Once stopping, what the session says about its own end is no news.
        if (this.#interactive && !this.#stopping) this.terminal.out(`* ${text}`)
      },
      message: (body, thread) => {
        watch.heard(body, thread)
        if (this.#interactive) this.#show('bot> ', body)
      },
      roomMessage: (room, nick, body) => {
        if (this.#interactive) this.#show(`${room}/${nick}> `, body)
      },
      lost: (reason) => this.#fail(new Failure(reason, ExitCode.Unavailable)),
    })
    this.#me = me
    if (this.#stopping) return

    if (say === undefined) {
      this.#chat(me, userJid, botJid, line, webPort)
      return
    }
    const send = (text: string): Promise<void> => {
      watch.asked()
      return me.say(text, watch.thread)
    }
    const reply = await ask(say, { send, online: me.botOnline, answer: watch.answer, gone, timeout })
    this.terminal.out(reply)
    this.#stop(ExitCode.Ok)
  }

  #chat(me: UserSession, userJid: string, botJid: string, line: string, webPort: number): void {
    for (const text of [
      '',
      `natter dev: you are ${userJid}, talking to ${botJid} on a private Prosody at ${this.#prosody?.service ?? ''}.`,
      `The bot is your Procfile's bot: line, run here as \`${line}\`.`,
      `Its web side (routes, webhooks, /healthz, /metrics) is at http://localhost:${webPort}.`,
      'Type a message and press Enter. /join <room> to talk in a room (XMPP_ROOMS=<room>@conference.localhost has',
      'the bot join it), /leave to talk to the bot again. /quit, Ctrl-D or Ctrl-C to leave.',
      ...(this.options.keep ? ['', ...this.#accountLines()] : []),
      '',
    ]) {
      this.terminal.out(text)
    }
    this.terminal.open('me> ', {
      line: (text) => this.#typed(me, text),
      quit: () => this.#stop(ExitCode.Ok),
    })
  }

  #typed(me: UserSession, text: string): void {
    const failed = (error: unknown): void => this.terminal.err(`! ${(error as Error).message}`)
    const join = /^\/join\s+(\S+)$/.exec(text)?.[1]
    if (join !== undefined) {
      const room = join.includes('@') ? join : `${join}@${ROOM_SERVICE}`
      me.join(room).then(() => {
        this.#room = room
        this.terminal.prompt(`me@${room}> `)
        this.terminal.out(`* you joined ${room} as me; what you type goes there`)
      }, failed)
      return
    }
    if (text === '/leave' && this.#room !== undefined) {
      const room = this.#room
      this.#room = undefined
      this.terminal.prompt('me> ')
      me.leave(room).then(() => this.terminal.out(`* you left ${room}`), failed)
      return
    }
    const sent = this.#room === undefined ? me.say(text) : me.sayInRoom(this.#room, text)
    sent.catch((error: unknown) => failed(new Error(`could not send: ${(error as Error).message}`)))
  }

  /** A message on the terminal: every line of it behind the prefix, so that a multi-line text stays together. */
  #show(prefix: string, body: string): void {
    for (const line of body.split('\n')) this.terminal.out(`${prefix}${line}`)
  }

  /** The accounts and how to use the kept server: to run the bot again, or log in as the user elsewhere. */
  #accountLines(): string[] {
    const accounts = this.#accounts
    const service = this.#prosody?.service ?? ''
    if (!accounts) return []
    return [
      `  bot:  ${accounts.bot}  password ${accounts.botPassword}`,
      `  you:  ${accounts.user}  password ${accounts.userPassword}`,
      `  run the bot again: JID=${accounts.bot} JPASSWORD=${accounts.botPassword} XMPP_SERVICE=${service} ${accounts.line} -D`,
    ]
  }

  #botLine(text: string, stream: 'stdout' | 'stderr'): void {
    if (this.#interactive) {
      for (const shown of botLines(text, this.terminal.colour)) {
        if (stream === 'stdout') this.terminal.out(shown)
        else this.terminal.err(shown)
      }
      return
    }
    this.#kept.push(text)
    if (this.#kept.length > KEPT_LINES) this.#kept.shift()
  }

  /** `--keep`: Prosody stays, and the lines say how to use and stop it; on stderr after `--say`, whose stdout is the answer. */
  #leaveProsody(prosody: Prosody): void {
    const pid = prosody.leave()
    const print = (line: string): void => (this.#interactive ? this.terminal.out(line) : this.terminal.err(line))
    for (const line of [
      `natter dev: Prosody keeps running at ${prosody.service} (pid ${pid ?? '?'}), its data in ${prosody.dataDir}`,
      ...this.#accountLines(),
      `  stop it: kill ${pid ?? '<pid>'} && rm -rf ${prosody.dataDir}`,
    ]) {
      print(line)
    }
  }

  #fail(error: unknown): void {
    this.#stop(exitCodeFor(error), `natter dev: ${error instanceof Error ? error.message : String(error)}`)
  }

  /** Stops everything it started, the newest first, then finishes with the code. Only the first call counts. */
  #stop(code: number, message?: string): void {
    // On the next turn, once `#stopping` is set: stopping closes the prompt, and what that sets off
    // must find the shutdown under way rather than start another (a second SIGTERM for the bot).
    this.#stopping ??= Promise.resolve().then(async () => {
      this.terminal.close()
      await this.#me?.stop(USER_STOP_MS).catch(() => undefined)
      await this.#bot?.stop(BOT_STOP_GRACE_MS)
      if (this.options.keep && this.#prosody) this.#leaveProsody(this.#prosody)
      else await this.#prosody?.stop()
      if (this.#signalled === undefined && message !== undefined) {
        for (const text of this.#kept) this.terminal.err(`bot | ${text}`)
        this.terminal.err(message)
      }
      this.#finish(this.#signalled ?? code)
    })
  }
}

/** Prosody missing, or not starting: one line that says so (and how to install it), exit 69. */
function unavailable(error: unknown): never {
  throw new Failure(error instanceof Error ? error.message : String(error), ExitCode.Unavailable)
}
