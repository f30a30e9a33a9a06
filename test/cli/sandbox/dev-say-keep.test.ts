// natter dev --say with a bot that greets whoever subscribes (the greeting is not the answer), and --keep: the
// private Prosody stays up after natter dev ends, with accounts it prints, so that the bot can be run again and
// the user can log in from elsewhere.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { ROOT } from '../../../tools/bot-process.js'
import { connectPeer } from '../../../tools/peer.js'
import { NATTER_BIN, runNatter } from '../../support/natter-cli.js'
import { hasScript, inTerminal } from '../../support/terminal-session.js'

const GREETER = `import { createBot } from ${JSON.stringify(join(ROOT, 'dist/src/index.js'))}
const bot = createBot()
bot.subscription({ type: 'subscribe' }, async (request) => {
  await request.approve()
  await bot.say(request.from, 'Welcome! I am the team bot.')
})
bot.message({ type: 'chat', body: true }, (msg) => msg.reply('You said: ' + msg.body))
bot.run()
`

let dir: string
let kept: { pid: number; dataDir: string } | undefined
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'natter-dev-keep-'))
})
afterEach(async () => {
  if (kept) {
    try {
      process.kill(kept.pid, 'SIGKILL')
    } catch {
      // gone already
    }
    await rm(kept.dataDir, { recursive: true, force: true })
    kept = undefined
  }
  await rm(dir, { recursive: true, force: true })
})

it('--say prints the answer, not the greeting; --keep leaves Prosody up with the accounts it prints', { timeout: 90_000 }, async () => {
  await writeFile(join(dir, 'greeter.mjs'), GREETER)
  await writeFile(join(dir, 'Procfile'), 'bot: node greeter.mjs\n')
  const run = await runNatter(['dev', '--say', 'hello', '--keep'], { HOME: process.env.HOME ?? dir }, { cwd: dir })
  expect(run.code, run.stderr).toBe(0)
  expect(run.stdout).toBe('You said: hello\n')

  const server = /Prosody keeps running at (xmpp:\/\/127\.0\.0\.1:\d+) \(pid (\d+)\), its data in (\S+)/.exec(run.stderr)
  expect(server, run.stderr).not.toBeNull()
  const [, service = '', pid = '', dataDir = ''] = server ?? []
  kept = { pid: Number(pid), dataDir }
  expect(run.stderr).toContain(`stop it: kill ${pid} && rm -rf ${dataDir}`)
  const user = /you: {2}(me@localhost) {2}password (\S+)/.exec(run.stderr)
  const bot = /bot: {2}(bot@localhost) {2}password (\S+)/.exec(run.stderr)
  expect(run.stderr).toContain(`run the bot again: JID=bot@localhost JPASSWORD=${bot?.[2]} XMPP_SERVICE=${service} node greeter.mjs -D`)

  // The kept server still serves both accounts.
  for (const [jid, password] of [
    [user?.[1], user?.[2]],
    [bot?.[1], bot?.[2]],
  ]) {
    const peer = await connectPeer({ service, jid: jid ?? '', password: password ?? '' })
    expect(peer.jid).toMatch(/@localhost\//)
    await peer.close()
  }
})

const ROOM_BOT = `import { createBot } from ${JSON.stringify(join(ROOT, 'dist/src/index.js'))}
const bot = createBot()
bot.subscription({ type: 'subscribe' }, (request) => request.approve())
bot.message({ type: 'groupchat', mentioned: true }, (msg) => msg.reply('heard you\\nin ' + msg.room))
bot.run()
`

it.skipIf(!hasScript())(
  'the prompt joins a room with /join, says there, and shows each line of a multi-line answer prefixed',
  { timeout: 90_000 },
  async () => {
    await writeFile(join(dir, 'room-bot.mjs'), ROOM_BOT)
    await writeFile(join(dir, 'Procfile'), 'bot: node room-bot.mjs\n')
    const result = await inTerminal(`${process.execPath} ${NATTER_BIN} dev`, {
      cwd: dir,
      env: { ...process.env, XMPP_ROOMS: 'team@conference.localhost' },
      when: /bot@localhost\/\S+ is online/,
      keys: '/join team\r',
      after: [
        { when: /you joined team@conference\.localhost/, keys: 'bot: hello\r' },
        { when: /team@conference\.localhost\/bot> in team@conference\.localhost/, keys: '/quit\r' },
      ],
      ms: 60_000,
    })
    expect(result.code, result.output).toBe(0)
    expect(result.output).toContain('team@conference.localhost/bot> heard you')
  },
)
