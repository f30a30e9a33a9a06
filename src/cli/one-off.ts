import { config as loadDotenv } from 'dotenv'
import { type Bot, type BotOptions, createBot, ExitCode, loadSettings, type Settings } from '../index.js'
import { readRoomSettings } from '../plugins/rooms/settings.js'
import type { SessionFlags } from './args.js'
import { exitCodeFor } from './failure.js'
import type { Io } from './io.js'
import { oneOffResource } from './resource.js'
import { SessionLog } from './session-log.js'

/** What a one-off command works with once logged in. */
export interface OneOff {
  readonly bot: Bot
  /** The bot's settings, as the environment gives them. */
  readonly settings: Settings
  /** How long to wait for each answer, in ms. */
  readonly timeout: number
}

/**
 * The options that keep a one-off session out of the running bot's way: no initial presence (so the
 * server never picks this session for the bot's messages, and the bot's formation never counts it),
 * no room joins, no formation of its own.
 */
type OneOffOptions = BotOptions & { presence: false; formation: false }

/** Handlers still running when the command is done get this long; then the session closes. */
const STOP_MS = 2_000

/**
 * Logs in as the bot on a session of its own, runs `task`, logs out, and resolves with the exit
 * code: 0 when the task succeeded, natter's codes for bad settings, a refused login or an
 * unreachable server, 69 when an answer never came, 130 or 143 when interrupted. Every failure
 * is one line on stderr.
 *
 * @example
 * ```ts
 * const code = await runOneOff(flags, processIo, async ({ bot }) => { await bot.say('ops@example.org', 'backup done') })
 * ```
 */
export async function runOneOff(flags: SessionFlags, io: Io, task: (session: OneOff) => Promise<void>): Promise<number> {
  loadDotenv({ quiet: true, override: false })
  let settings: Settings
  try {
    // Everything the bot would refuse, a one-off refuses too, even settings it has no use for.
    settings = loadSettings(process.env)
    readRoomSettings(undefined, process.env, settings.jid.local)
  } catch (error) {
    io.err(`natter: ${messageOf(error)}`)
    return exitCodeFor(error)
  }
  const log = new SessionLog((line) => io.err(line), flags.debug)
  const options: OneOffOptions = {
    jid: settings.jid.bare,
    resource: oneOffResource(process.env),
    presence: false,
    formation: false,
    rooms: [],
    logLevel: flags.debug ? 'debug' : 'warn',
    logDestination: log.stream,
    reconnect: { connectTimeout: flags.timeout, giveUpAfter: flags.timeout },
    receive: { ownMessages: true },
  }
  const bot = createBot(options)
  const interruption = interrupted()
  const fatal = new Promise<never>((_resolve, reject) => {
    bot.on('error', reject)
  })
  let code: number
  let over = false
  try {
    // Stopping the bot during a connection attempt ends start() as if it had succeeded: no task then.
    const work = bot.start().then(() => (over ? undefined : task({ bot, settings, timeout: flags.timeout })))
    code = await Promise.race([work.then(() => ExitCode.Ok), fatal, interruption.signalled])
    if (code !== ExitCode.Ok) io.err('natter: interrupted')
  } catch (error) {
    io.err(`natter: ${messageOf(error)}`)
    code = exitCodeFor(error)
  } finally {
    over = true
    interruption.dispose()
  }
  await bot.stop(STOP_MS).catch(() => {})
  return code
}

/** Resolves with the conventional exit code (128 + signal number) on SIGINT or SIGTERM, until disposed. */
function interrupted(): { signalled: Promise<number>; dispose(): void } {
  let dispose = (): void => {}
  const signalled = new Promise<number>((resolve) => {
    const onInt = (): void => resolve(130)
    const onTerm = (): void => resolve(143)
    process.once('SIGINT', onInt)
    process.once('SIGTERM', onTerm)
    dispose = () => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
    }
  })
  return { signalled, dispose }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
