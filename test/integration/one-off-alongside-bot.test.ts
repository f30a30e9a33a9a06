// A one-off command must never take work from the running bot: while the echo bot answers a steady stream
// of numbered messages, `natter say`, `ping` and `check` log in with the bot's own JID from another
// directory, and every message still gets exactly one answer, from the bot. Saying something in the
// bot's room, under its nick, leaves the bot in the room.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type BotProcess, startBotProcess } from '../../tools/bot-process.js'
import { connectPeer, type Peer, type XmlElement, xml } from '../../tools/peer.js'
import { type NatterRun, runNatter } from '../support/natter-cli.js'

const PASSWORD = 'pw-Alongside-6620'
const ROOM = 'team@conference.localhost'
const NS_MUC = 'http://jabber.org/protocol/muc'
/** One numbered message every this many ms, for as long as the one-offs run. */
const EVERY_MS = 20

let prosody: Prosody
let bot: BotProcess
let botJid: string
let botFullJid: string
let alice: Peer
let watcher: Peer
let oneOffDir: string
let sent = 0
const runs: Array<{ command: string; run: NatterRun }> = []

beforeAll(async () => {
  prosody = await startProsody()
  botJid = await prosody.register('steady', PASSWORD)
  await prosody.register('alice', 'alice-pw')
  // alice streams 50 messages a second, a stranger to the bot: far over what the limits let a stranger send.
  const settings = { JID: botJid, JPASSWORD: PASSWORD, XMPP_SERVICE: prosody.service, XMPP_ROOMS: `${ROOM}/helper`, XMPP_STRANGER_BURST: '2000' }
  bot = startBotProcess('dist/examples/echo.js', settings)
  botFullJid = String((await bot.waitForLog((l) => l.msg === 'online')).jid)
  await bot.waitForLog((l) => l.msg === 'joined room')
  // Another session of the bot's account that sees its siblings' presence. With a negative priority
  // it is never given the bot's messages itself.
  watcher = await connectPeer({ service: prosody.service, jid: botJid, password: PASSWORD, resource: 'watcher' })
  await watcher.sendPresence({}, xml('priority', {}, '-1'))
  await watcher.waitFor((s) => s.name === 'presence' && s.attrs.from === botFullJid && s.attrs.type === undefined)
  alice = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
  await alice.sendPresence()
  await alice.send(xml('presence', { to: `${ROOM}/alice` }, xml('x', { xmlns: NS_MUC })))
  await alice.waitFor((s) => s.name === 'presence' && s.attrs.from === `${ROOM}/alice`)
  // The one-offs run as an operator would: from elsewhere, with the bot's settings in a .env there.
  oneOffDir = await mkdtemp(join(tmpdir(), 'natter-oneoff-'))
  await writeFile(
    join(oneOffDir, '.env'),
    Object.entries(settings)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  )

  let streaming = true
  const stream = (async () => {
    while (streaming) {
      sent += 1
      await alice.send(xml('message', { to: botJid, type: 'chat', id: `n-${sent}` }, xml('body', {}, `n=${sent}`)))
      await sleep(EVERY_MS)
    }
  })()
  await sleep(200)
  for (const args of [['say', 'alice@localhost', 'a word from a one-off'], ['say', ROOM, 'a word in the room'], ['ping'], ['check']]) {
    runs.push({ command: args.join(' '), run: await runNatter(args, {}, { cwd: oneOffDir }) })
  }
  await sleep(200)
  streaming = false
  await stream
  // Every answer in (looked for, not taken out of the inbox), then a moment for any second answer to show up.
  const last = `You said: n=${sent}`
  for (const deadline = Date.now() + 10_000; !alice.inbox.some((s) => s.getChildText('body') === last) && Date.now() < deadline; ) await sleep(20)
  await sleep(500)
}, 60_000)

afterAll(async () => {
  bot?.kill('SIGKILL')
  await alice?.close()
  await watcher?.close()
  await prosody?.stop()
  if (oneOffDir) await rm(oneOffDir, { recursive: true, force: true })
})

describe('one-off commands next to the running bot', () => {
  it('each succeed', () => {
    for (const { command, run } of runs) expect({ command, code: run.code, stderr: run.stderr }).toEqual({ command, code: 0, stderr: '' })
    expect(alice.inbox.some((s) => s.getChildText('body') === 'a word from a one-off')).toBe(true)
  })

  it("speak in the bot's room under its nick and leave the bot there", () => {
    const said = alice.inbox.filter((s) => s.name === 'message' && s.getChildText('body') === 'a word in the room')
    expect(said.map((s) => s.attrs.from)).toEqual([`${ROOM}/helper`])
    const left = alice.inbox.filter((s) => s.name === 'presence' && s.attrs.from === `${ROOM}/helper` && s.attrs.type === 'unavailable')
    expect(left).toEqual([])
  })

  it('leave every numbered message to the bot: each gets exactly one answer, from the bot', () => {
    expect(sent).toBeGreaterThan(20)
    const answers = alice.inbox.filter((s) => s.name === 'message' && s.getChildText('body')?.startsWith('You said: n=') === true)
    const count = new Map<string, number>()
    for (const answer of answers) count.set(answer.getChildText('body') ?? '', (count.get(answer.getChildText('body') ?? '') ?? 0) + 1)
    const wrong = Array.from({ length: sent }, (_, i) => `You said: n=${i + 1}`).filter((body) => count.get(body) !== 1)
    expect(wrong).toEqual([])
    expect(answers).toHaveLength(sent)
    expect(new Set(answers.map((a) => a.attrs.from))).toEqual(new Set([botFullJid]))
  })

  // An available presence of priority 0 would make a one-off a delivery target for the bot's bare
  // JID: Prosody would hand it a copy of each chat and, when it leaves, bounce the copies it had not
  // acknowledged to the sender.
  it("announce no available presence, so the server never hands them the bot's messages", () => {
    const oneOffPresence = watcher.inbox.filter(
      (s: XmlElement) =>
        s.name === 'presence' &&
        s.attrs.from?.startsWith(`${botJid}/`) === true &&
        s.attrs.from !== botFullJid &&
        s.attrs.type === undefined &&
        Number(s.getChildText('priority') ?? '0') >= 0,
    )
    expect(oneOffPresence.map((s) => s.attrs.from)).toEqual([])
    expect(alice.inbox.filter((s) => s.name === 'message' && s.attrs.type === 'error')).toEqual([])
  })
})
