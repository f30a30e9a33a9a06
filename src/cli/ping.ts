import { answered } from './failure.js'
import type { Io } from './io.js'
import type { OneOff } from './one-off.js'

/**
 * `natter ping [jid]`: an XEP-0199 round trip from the bot's account to a JID, or to its server,
 * printed in ms. Rejects with a `Failure` (exit 69) when the JID answers with an error or not in time.
 *
 * @example
 * ```ts
 * await ping(session, 'alice@example.org/phone', processIo) // prints "alice@example.org/phone: 41.7 ms"
 * ```
 */
export async function ping({ bot, settings, timeout }: OneOff, to: string | undefined, io: Io): Promise<void> {
  const target = to ?? settings.jid.domain
  const rtt = await answered(`ping ${target}`, bot.ping(to, timeout))
  io.out(`${target}: ${rtt.toFixed(1)} ms`)
}
