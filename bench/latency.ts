// Closed-loop latency: one message at a time, the next sent as soon as the answer to the last one is in.
import { chatMessage, type LoadClient } from './load-client.js'

export interface LatencyResult {
  /** Round trips in ms, one per answered message. */
  readonly samples: number[]
  /** Messages that got no answer within the timeout. */
  readonly lost: number
}

/**
 * Sends `count` messages from `client` to `to`, each after the answer to the previous one, and times each
 * round trip. An answer is `<answerPrefix><sent body>`.
 */
export async function roundTrips(client: LoadClient, to: string, count: number, tag: string, answerPrefix: string, timeoutMs = 2_000): Promise<LatencyResult> {
  const samples: number[] = []
  let lost = 0
  let expected = ''
  let answered: (() => void) | undefined
  client.onBodies = (bodies) => {
    if (bodies.includes(expected)) answered?.()
  }
  try {
    for (let i = 0; i < count; i++) {
      const body = `${tag}-${i}`
      expected = `${answerPrefix}${body}`
      const answer = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs)
        answered = () => {
          clearTimeout(timer)
          resolve(true)
        }
      })
      const started = performance.now()
      await client.write(chatMessage(to, body))
      if (await answer) samples.push(performance.now() - started)
      else lost += 1
    }
  } finally {
    client.onBodies = () => {}
  }
  return { samples, lost }
}

/** Resolves with how long after `since` (a performance.now()) the answer `expected` came, or rejects after `timeoutMs`. */
export function answerAfter(client: LoadClient, expected: string, since: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.onBodies = () => {}
      reject(new Error(`no answer "${expected}" within ${timeoutMs} ms`))
    }, timeoutMs)
    client.onBodies = (bodies) => {
      if (!bodies.includes(expected)) return
      clearTimeout(timer)
      client.onBodies = () => {}
      resolve(performance.now() - since)
    }
  })
}
