// Throughput with many messages in flight: each sender keeps its share of a window of unanswered messages
// full, and every answer frees a slot for the next message. Answers are told apart by a numbered body, so
// lost and duplicated ones are counted, not guessed.
import { cpuSeconds } from './bot-process.js'
import { chatMessage, type LoadClient } from './load-client.js'

export interface BlastOptions {
  /** Connections that send; answers are expected back on `receivers`. */
  readonly senders: readonly LoadClient[]
  /** Where answers arrive: the senders themselves for an echo bot, one client for a plain relay. */
  readonly receivers: readonly LoadClient[]
  /** The JID every message goes to. */
  readonly to: string
  /** What an answer's body is: the sent body after this prefix (`You said: ` for the echo bots). */
  readonly answerPrefix: string
  /** Messages to send in all. */
  readonly count: number
  /** Messages in flight at once, over all senders. */
  readonly window: number
  /** Stop sending after this long, even if not all `count` went out. */
  readonly maxMs: number
  /** Give up on the missing answers after this long without any. */
  readonly stallMs: number
  /** Makes this run's bodies unique, so late answers of an earlier run are not counted. */
  readonly tag: string
  /** Processes whose CPU use over the run to report (the server, the bot). */
  readonly watch?: readonly number[]
}

export interface BlastResult {
  readonly sent: number
  /** Distinct messages answered. */
  readonly answered: number
  readonly lost: number
  /** Answers beyond the first for the same message. */
  readonly duplicates: number
  /** From the first send to the last first answer. */
  readonly seconds: number
  /** Answered messages per second. */
  readonly rate: number
  /** CPU the load client used over the run, in cores (1 = one core busy all the time). */
  readonly loadCpu: number
  /** CPU seconds each watched process used over the run. */
  readonly watchedCpu: number[]
}

/** How long to keep listening after the last answer, for duplicates arriving late. */
const LINGER_MS = 200

export function blast(options: BlastOptions): Promise<BlastResult> {
  const { senders, receivers, count, tag, answerPrefix } = options
  const answers = new Uint8Array(count)
  const owner = new Uint8Array(count)
  const prefix = `${answerPrefix}${tag}-`
  let sent = 0
  let answered = 0
  let duplicates = 0
  let stopSending = false
  let lastAnswerAt = 0

  const send = (sender: number, n: number): void => {
    const client = senders[sender] as LoadClient
    let batch = ''
    for (let i = 0; i < n && sent < count && !stopSending; i++) {
      owner[sent] = sender
      batch += chatMessage(options.to, `${tag}-${sent}`)
      sent += 1
    }
    if (batch !== '') void client.write(batch)
  }

  return new Promise((resolve) => {
    const freed = new Array<number>(senders.length).fill(0)
    let stall: NodeJS.Timeout | undefined
    const armStall = (): void => {
      clearTimeout(stall)
      stall = setTimeout(finish, options.stallMs)
    }
    const onBodies = (bodies: string[]): void => {
      let any = false
      for (const body of bodies) {
        if (!body.startsWith(prefix)) continue
        const n = Number(body.slice(prefix.length))
        if (!Number.isInteger(n) || n < 0 || n >= sent) continue
        answers[n] = Math.min(255, (answers[n] as number) + 1)
        if (answers[n] !== 1) {
          duplicates += 1
          continue
        }
        answered += 1
        any = true
        const sender = owner[n] as number
        freed[sender] = (freed[sender] as number) + 1
      }
      if (!any) return
      lastAnswerAt = performance.now()
      armStall()
      if (answered === count || (stopSending && answered === sent)) return finish()
      for (let s = 0; s < senders.length; s++) {
        if ((freed[s] as number) > 0) send(s, freed[s] as number)
        freed[s] = 0
      }
    }

    for (const receiver of receivers) receiver.onBodies = onBodies
    const watch = options.watch ?? []
    const watchedBefore = watch.map(cpuSeconds)
    const cpu = process.cpuUsage()
    const started = performance.now()
    const deadline = setTimeout(() => {
      stopSending = true
      if (answered === sent) finish()
    }, options.maxMs)
    let finished = false
    function finish(): void {
      if (finished) return
      finished = true
      clearTimeout(stall)
      clearTimeout(deadline)
      const used = process.cpuUsage(cpu)
      const watchedCpu = watch.map((pid, i) => cpuSeconds(pid) - (watchedBefore[i] as number))
      // The time up to the last answer: a stall at the end would dilute both the rate and the CPU share.
      const seconds = (Math.max(lastAnswerAt, started) - started) / 1000
      setTimeout(() => {
        for (const receiver of receivers) receiver.onBodies = () => {}
        resolve({
          sent,
          answered,
          lost: sent - answered,
          duplicates,
          seconds,
          rate: seconds > 0 ? answered / seconds : 0,
          loadCpu: seconds > 0 ? (used.user + used.system) / 1e6 / seconds : 0,
          watchedCpu,
        })
      }, LINGER_MS)
    }

    armStall()
    const share = Math.max(1, Math.floor(options.window / senders.length))
    for (let s = 0; s < senders.length; s++) send(s, share)
  })
}
