import { randomBytes } from 'node:crypto'
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

/** How long a message without the question's thread waits for a threaded one to win over it. */
const UNTHREADED_GRACE_MS = 1_500

/**
 * Tells the bot's answer to a question from what else it says (a greeting on subscription, a
 * notice): the question goes with a thread of its own, which `reply()` keeps. A message without a
 * thread, after the question, is taken only when no threaded one follows within a moment (a bot
 * that answers with `bot.say()`); what came before the question never is.
 *
 * @example
 * ```ts
 * const watch = new AnswerWatch()
 * watch.asked() // then send the question in watch.thread, and hand each message from the bot to watch.heard()
 * watch.heard('You said: hello', watch.thread)
 * await watch.answer // 'You said: hello'
 * ```
 */
export class AnswerWatch {
  /** The thread to send the question in. */
  readonly thread = randomBytes(6).toString('hex')
  /** Resolves with the answer. */
  readonly answer: Promise<string>
  #resolve!: (body: string) => void
  #asked = false
  #fallback: NodeJS.Timeout | undefined

  constructor(private readonly grace = UNTHREADED_GRACE_MS) {
    this.answer = new Promise((resolve) => (this.#resolve = resolve))
  }

  /** The question is on its way: from now on, what the bot says may answer it. */
  asked(): void {
    this.#asked = true
  }

  /** A message from the bot, with its thread if it had one. */
  heard(body: string, thread: string | undefined): void {
    if (!this.#asked) return
    if (thread === this.thread) {
      clearTimeout(this.#fallback)
      this.#resolve(body)
      return
    }
    if (thread !== undefined || this.#fallback !== undefined) return
    this.#fallback = setTimeout(() => this.#resolve(body), this.grace)
    this.#fallback.unref()
  }
}

/** A pause that does not keep the process alive once the race it is in is decided. */
function delay(ms: number): Promise<undefined> {
  return sleep(Math.max(0, ms), undefined, { ref: false })
}
