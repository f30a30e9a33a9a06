// One at a time, with the bots running at once: each bot has its own load connection and gets messages at the same
// steady pace, so whatever else the machine does weighs on all of them alike. Meant for comparing two versions on a
// busy machine, where bots measured one after the other see different conditions; the figures are higher than in a
// run alone, since the bots share the cores and their caches with each other.

import type { Prosody } from '../src/cli/sandbox/servers/prosody.js'
import { type BotCommand, BotProcess } from './bot-process.js'
import { answerAfter } from './latency.js'
import { chatMessage, LoadClient } from './load-client.js'
import { BOT_PASSWORD } from './measure.js'
import { paced } from './paced.js'
import type { BenchSettings } from './settings.js'

const ANSWER = 'You said: '
const LOAD_PASSWORD = 'bench-load'
const ONLINE_TIMEOUT_MS = 30_000
/** Warm-up: enough messages for every runtime to compile its hot paths, sent faster than the measured ones. */
const WARMUP = { count: 1_000, rate: 1_000 }

/** A bot to run; the id also names its accounts. */
export interface SideBySideBot extends BotCommand {
  readonly id: string
  readonly label: string
  /** Settings of its own, beside the account's. */
  readonly env?: Readonly<Record<string, string>>
}

/** The bot's CPU per echo in each round, by bot id. */
export type SideBySideSamples = Map<string, number[]>

export async function sideBySide(
  prosody: Prosody,
  bots: readonly SideBySideBot[],
  settings: BenchSettings,
  say: (line: string) => void,
  warmup: { readonly count: number; readonly rate: number } = WARMUP,
): Promise<SideBySideSamples> {
  const samples: SideBySideSamples = new Map(bots.map((bot) => [bot.id, []]))
  const account = { host: prosody.host, port: prosody.port, domain: prosody.domain, password: LOAD_PASSWORD, resource: 'load' }
  for (let round = 1; round <= settings.rounds; round++) {
    const started = await Promise.all(
      bots.map(async (bot) => {
        const user = `${bot.id}-side${round}`
        await Promise.all([prosody.register(user, BOT_PASSWORD), prosody.register(`load-${user}`, LOAD_PASSWORD)])
        const client = await LoadClient.connect({ ...account, user: `load-${user}` })
        const to = `${user}@${prosody.domain}`
        const online = answerAfter(client, `${ANSWER}${user}-probe`, performance.now(), ONLINE_TIMEOUT_MS)
        void client.write(chatMessage(to, `${user}-probe`))
        // One load client sends thousands of messages: natter's per-sender limits would drop most of them.
        const proc = new BotProcess(bot, {
          JID: to,
          JPASSWORD: BOT_PASSWORD,
          XMPP_SERVICE: prosody.service,
          XMPP_RESOURCE: 'bench',
          XMPP_LIMITS: 'off',
          ...bot.env,
        })
        return { bot, user, client, to, proc, online }
      }),
    )
    try {
      await Promise.all(started.map(({ proc, online }) => proc.whileRunning(online)))
      const run = (count: number, rate: number, tag: string) =>
        Promise.all(
          started.map(async ({ user, client, to, proc }, i) => {
            // Staggered, so that the bots do not all get their messages in the same instant.
            await new Promise((resolve) => setTimeout(resolve, (i * 1000) / rate / started.length))
            const options = { client, to, answerPrefix: ANSWER, count, rate, stallMs: settings.stallMs, pid: proc.pid }
            return proc.whileRunning(paced({ ...options, tag: `${user}-${tag}` }))
          }),
        )
      await run(warmup.count, warmup.rate, 'warmup')
      const results = await run(settings.pacedMessages, settings.pacedRate, 'paced')
      for (const [i, result] of results.entries()) samples.get(started[i]?.bot.id ?? '')?.push(result.botCpuUs)
      const lost = (n: number): string => (n > 0 ? ` (${n} lost)` : '')
      say(`round ${round}/${settings.rounds}  ${results.map((r, i) => `${started[i]?.bot.id}: ${Math.round(r.botCpuUs)} µs/msg${lost(r.lost)}`).join(', ')}`)
    } finally {
      await Promise.all(started.map(async ({ proc, client }) => Promise.all([proc.stop(), client.close()])))
    }
  }
  return samples
}
