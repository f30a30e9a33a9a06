// Paced load: what most bots see, a few messages a second rather than bursts. One message at a time, each
// written on its own at a steady rate, its answer back long before the next one leaves; the bot's CPU over the
// run, per answer. Nothing is batched on either side here, so every fixed cost per stanza shows.
import { cpuSeconds } from './bot-process.js'
import { chatMessage, type LoadClient } from './load-client.js'

export interface PacedOptions {
  readonly client: LoadClient
  readonly to: string
  /** What an answer's body is: the sent body after this prefix. */
  readonly answerPrefix: string
  readonly count: number
  /** Messages per second. */
  readonly rate: number
  /** Makes this run's bodies unique, so late answers of an earlier run are not counted. */
  readonly tag: string
  /** How long to wait for the last answers after the last message went out, in ms. */
  readonly stallMs: number
  /** The bot's process, whose CPU is measured. */
  readonly pid: number
}

export interface PacedResult {
  readonly sent: number
  readonly answered: number
  readonly lost: number
  readonly duplicates: number
  /** The bot's CPU time per answered message, in µs. */
  readonly botCpuUs: number
}

export function paced(options: PacedOptions): Promise<PacedResult> {
  const { client, count, tag } = options
  const answers = new Uint8Array(count)
  const prefix = `${options.answerPrefix}${tag}-`
  const interval = 1000 / options.rate
  let sent = 0
  let answered = 0
  let duplicates = 0

  return new Promise((resolve) => {
    let stall: NodeJS.Timeout | undefined
    let next: NodeJS.Timeout | undefined
    const cpuBefore = cpuSeconds(options.pid)
    const started = performance.now()

    const finish = (): void => {
      clearTimeout(stall)
      clearTimeout(next)
      client.onBodies = () => {}
      const cpu = cpuSeconds(options.pid) - cpuBefore
      resolve({ sent, answered, lost: sent - answered, duplicates, botCpuUs: (cpu * 1e6) / Math.max(1, answered) })
    }
    client.onBodies = (bodies) => {
      for (const body of bodies) {
        if (!body.startsWith(prefix)) continue
        const n = Number(body.slice(prefix.length))
        if (!Number.isInteger(n) || n < 0 || n >= sent) continue
        answers[n] = Math.min(255, (answers[n] as number) + 1)
        if (answers[n] === 1) answered += 1
        else duplicates += 1
      }
      if (answered === count) finish()
    }
    // Each send is scheduled from the start of the run, not from the last send, so timer lateness does not
    // add up and the rate holds.
    const send = (): void => {
      void client.write(chatMessage(options.to, `${tag}-${sent}`))
      sent += 1
      if (sent < count) next = setTimeout(send, Math.max(0, started + sent * interval - performance.now()))
      else stall = setTimeout(finish, options.stallMs)
    }
    send()
  })
}
