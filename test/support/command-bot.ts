// The command example run as a worker process against a private Prosody, with two people to talk to it: the
// set-up of the integration tests that flood and attack it.
import { type Prosody, type ProsodyOptions, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type BotProcess, startBotProcess } from '../../tools/bot-process.js'
import { connectPeer, type Peer } from '../../tools/peer.js'

export interface CommandBotScene {
  readonly prosody: Prosody
  readonly bot: BotProcess
  /** The bot's bare JID. */
  readonly botJid: string
  /** The bot's full JID on its session. */
  readonly botFull: string
  readonly alice: Peer
  readonly bob: Peer
  /** Kills the bot, closes the peers and stops Prosody. */
  stop(): Promise<void>
}

/** Starts Prosody with `prosody` options, then `examples/commands.js` with `args`, then alice and bob. */
export async function startCommandBot(options: { prosody?: ProsodyOptions; args?: string[] } = {}): Promise<CommandBotScene> {
  const prosody = await startProsody(options.prosody)
  const botJid = await prosody.register('cmdbot', 'cmd-pw')
  await prosody.register('alice', 'alice-pw')
  await prosody.register('bob', 'bob-pw')
  const bot = startBotProcess('dist/examples/commands.js', { JID: botJid, JPASSWORD: 'cmd-pw', XMPP_SERVICE: prosody.service }, options.args)
  const botFull = String((await bot.waitForLog((l) => l.msg === 'online')).jid)
  const alice = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
  const bob = await connectPeer({ service: prosody.service, jid: 'bob@localhost', password: 'bob-pw' })
  return {
    prosody,
    bot,
    botJid,
    botFull,
    alice,
    bob,
    async stop() {
      bot.kill('SIGKILL')
      await alice.close()
      await bob.close()
      await prosody.stop()
    },
  }
}
