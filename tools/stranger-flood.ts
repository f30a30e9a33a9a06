// Many stranger accounts flood the command example together, over a real Prosody, while a trusted
// sender (alice, an admin) asks for the time: the attack of issue 18. Used by
// test/integration/strangers.test.ts in a reduced form; run whole, it measures what docs/security.md
// reports:
//   npx tsc -p tsconfig.json && node dist/tools/stranger-flood.js
// It starts its own Prosody and the bot under a 256 MB heap, prints one JSON line per phase, and exits.
import { type Prosody, startProsody } from '../src/cli/sandbox/servers/prosody.js'
import { type BotProcess, startBotProcess, watchMemory } from './bot-process.js'
import { connectPeer, type Peer, xml } from './peer.js'

/** A flood: `strangers` accounts sending `commands` slow commands each, padded with `padding` bytes of unknown payload. */
export interface Flood {
  readonly strangers: readonly Peer[]
  readonly commands: number
  readonly padding: number
}

/** Registers and connects `count` stranger accounts named `<prefix>1`, `<prefix>2`, ... */
export async function strangers(prosody: Prosody, prefix: string, count: number): Promise<Peer[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`)
  await Promise.all(names.map((name) => prosody.register(name, `${name}-pw`)))
  return Promise.all(names.map((name) => connectPeer({ service: prosody.service, jid: `${name}@localhost`, password: `${name}-pw` })))
}

/** Sends the flood to `botJid`, the strangers side by side, each its commands in order. */
export async function flood(botJid: string, { strangers: peers, commands, padding }: Flood): Promise<void> {
  const pad = padding > 0 ? xml('pad', { xmlns: 'urn:example:padding' }, 'x'.repeat(padding)) : undefined
  await Promise.all(
    peers.map(async (peer, p) => {
      for (let i = 0; i < commands; i++) {
        await peer.send(xml('message', { to: botJid, type: 'chat', id: `s${p}-${i}` }, xml('body', {}, 'wait 15'), pad))
      }
    }),
  )
}

/** Asks the bot the time as `peer` and resolves with how long the answer took, in ms. */
export async function askTime(peer: Peer, botJid: string, ms = 60_000): Promise<number> {
  const started = performance.now()
  await peer.send(xml('message', { to: botJid, type: 'chat' }, xml('body', {}, 'time')))
  await peer.waitFor((s) => s.name === 'message' && /^\d{4}-\d\d-\d\dT/.test(s.getChildText('body') ?? ''), ms)
  return performance.now() - started
}

/** Starts the command example with alice as its admin, under `heapMb` of heap when given. */
export function startFloodedBot(prosody: Prosody, botJid: string, heapMb?: number): BotProcess {
  const env: Record<string, string> = { JID: botJid, JPASSWORD: 'cmd-pw', XMPP_SERVICE: prosody.service, BOT_ADMINS: 'alice@localhost' }
  if (heapMb !== undefined) env.NODE_OPTIONS = `--max-old-space-size=${heapMb}`
  return startBotProcess('dist/examples/commands.js', env)
}

/** The whole measurement: 17 strangers x 300 slow commands, then 3 x 504 padded with 200 KiB, alice asking after each. */
async function main(): Promise<void> {
  const prosody = await startProsody({ muc: false })
  const botJid = await prosody.register('cmdbot', 'cmd-pw')
  await prosody.register('alice', 'alice-pw')
  const bot = startFloodedBot(prosody, botJid, 256)
  try {
    await bot.waitForLog((l) => l.msg === 'online')
    const alice = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
    const crowd = await strangers(prosody, 'stranger', 17)
    const heavy = await strangers(prosody, 'heavy', 3)
    await askTime(alice, botJid)
    const baseline = bot.rssMb()
    const memory = watchMemory(bot, 50)
    for (const [name, attack] of [
      ['17 strangers x 300 wait 15', { strangers: crowd, commands: 300, padding: 0 }],
      ['3 strangers x 504 wait 15 + 200 KiB', { strangers: heavy, commands: 504, padding: 200 * 1024 }],
    ] as const) {
      const sending = flood(botJid, attack)
      // Asked while the flood comes in, and again once it is all sent.
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      const during = await askTime(alice, botJid)
      await sending
      const after = await askTime(alice, botJid)
      const exited = await Promise.race([bot.exited, new Promise((resolve) => setTimeout(() => resolve(undefined), 1_000))])
      console.log(JSON.stringify({ phase: name, aliceMs: { during: Math.round(during), after: Math.round(after) }, alive: exited === undefined }))
    }
    // Until the strangers' commands have all run or been dropped.
    await new Promise((resolve) => setTimeout(resolve, 20_000))
    const peak = memory.stop()
    console.log(JSON.stringify({ rssMb: { baseline: Math.round(baseline), peak: Math.round(peak), growth: Math.round(peak - baseline) } }))
    await Promise.all([alice, ...crowd, ...heavy].map((peer) => peer.close()))
  } finally {
    bot.kill('SIGKILL')
    await prosody.stop()
  }
}

if (process.argv[1]?.endsWith('stranger-flood.js')) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}
