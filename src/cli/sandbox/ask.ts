import { setTimeout as sleep } from 'node:timers/promises'
import { ExitCode } from '../../index.js'
import { Failure } from '../failure.js'

/**
 * What asking the bot one thing takes.
 *
 * @example
 * ```ts
 * const asking: Asking = { send: (text) => me.say(text), online: me.botOnline, answer, gone, timeout: 30_000 }
 * ```
 */
export interface Asking {
  /** Sends the bot the text. */
  readonly send: (text: string) => Promise<void>
  /** Resolves once the bot shows itself online; some bots never do, and are asked anyway. */
  readonly online: Promise<void>
  /** Resolves with the bot's first answer. */
  readonly answer: Promise<string>
  /** Rejects when the bot can no longer answer (its process ended); never resolves. */
  readonly gone: Promise<never>
  /** How long to wait for the answer, in ms. */
  readonly timeout: number
}

/** Until the bot shows itself online, and then between sends: a message sent too early may never be answered. */
const RESEND_MS = 5_000

/**
 * Sends the bot a message and resolves with its answer, sending it again every few seconds until
 * one comes: a message that reaches the bot before it is ready waits in the server's offline store,
 * and a bot may leave such delayed messages alone. Rejects with a {@link Failure} (exit 69) when no
 * answer comes within the timeout.
 *
 * @example
 * ```ts
 * const answer = await ask('hello', { send, online, answer, gone, timeout: 30_000 }) // 'You said: hello'
 * ```
 */
export async function ask(text: string, { send, online, answer, gone, timeout }: Asking): Promise<string> {
  const deadline = Date.now() + timeout
  await Promise.race([online, delay(Math.min(RESEND_MS, timeout)), gone])
  for (;;) {
    await send(text)
    const got = await Promise.race([answer, delay(Math.min(RESEND_MS, deadline - Date.now())), gone])
    if (got !== undefined) return got
    if (Date.now() >= deadline) throw new Failure(`no answer from the bot within ${timeout / 1000} s`, ExitCode.Unavailable)
  }
}

/** A pause that does not keep the process alive once the race it is in is decided. */
function delay(ms: number): Promise<undefined> {
  return sleep(Math.max(0, ms), undefined, { ref: false })
}
