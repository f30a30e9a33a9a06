// The one-off commands (natter check, say, ping) as processes against a real Prosody: what they print,
// what reaches the other side, and their exit codes when something is wrong.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { connectPeer, joinRoom, type Peer } from '../../tools/peer.js'
import { closedPort } from '../support/closed-port.js'
import { runNatter } from '../support/natter-cli.js'

const PASSWORD = 'pw-OneOff-7305'
const LOBBY = 'lobby@conference.localhost'

let prosody: Prosody
let alice: Peer
let env: Record<string, string>

beforeAll(async () => {
  prosody = await startProsody()
  const jid = await prosody.register('oneoffbot', PASSWORD)
  await prosody.register('alice', 'alice-pw')
  env = { JID: jid, JPASSWORD: PASSWORD, XMPP_SERVICE: prosody.service }
  alice = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw', resource: 'desk' })
  await alice.sendPresence()
  await joinRoom(alice, LOBBY, 'alice')
})

afterAll(async () => {
  await alice?.close()
  await prosody?.stop()
})

describe('natter check', () => {
  it('prints the server, its features, the roster size and a ping, and exits 0', async () => {
    const run = await runNatter(['check'], env)
    expect(run.code, run.stderr).toBe(0)
    const lines = Object.fromEntries(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, 19).trim(), l.slice(19)]),
    )
    expect(lines).toEqual({
      server: expect.stringMatching(/^localhost, Prosody \d/),
      'connected via': prosody.service,
      'signed in as': expect.stringMatching(/^oneoffbot@localhost\/oneoff-[0-9a-f]{8}$/),
      'stream management': 'yes',
      'message carbons': 'yes',
      'group chat (MUC)': 'conference.localhost',
      'HTTP upload': 'none',
      PEP: 'yes (avatar, PubSub events on the account)',
      vCard: 'yes',
      'PubSub services': 'none',
      'ad-hoc, caps': 'served by the bot (nothing needed)',
      roster: '0 contacts',
      ping: expect.stringMatching(/^\d+\.\d ms$/),
    })
    expect(run.stderr).toBe('')
    expect(run.stdout + run.stderr).not.toContain(PASSWORD)
  })

  it("binds the one-off dyno's name on Heroku, never the bot's resource", async () => {
    const run = await runNatter(['check'], { ...env, JID: `${env.JID}/bot`, XMPP_RESOURCE: 'bot', DYNO: 'run.4711' })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^signed in as\s+oneoffbot@localhost\/run\.4711$/m)
  })

  it('with -D logs every stanza on stderr, never the password', async () => {
    const run = await runNatter(['check', '-D'], env)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain('"msg":"xmpp out"')
    expect(run.stderr).not.toContain(PASSWORD)
  })
})

describe('natter ping', () => {
  it('pings the server by default', async () => {
    const run = await runNatter(['ping'], env)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^localhost: \d+\.\d ms\n$/)
  })

  it('pings a JID', async () => {
    const run = await runNatter(['ping', alice.jid], env)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(new RegExp(`^${alice.jid}: \\d+\\.\\d ms\\n$`))
  })

  it('exits 69 when the JID answers with an error', async () => {
    const run = await runNatter(['ping', 'nobody@localhost/gone'], env)
    expect(run.code).toBe(69)
    expect(run.stderr).toMatch(/^natter: ping nobody@localhost\/gone: \S+/)
  })
})

describe('natter say', () => {
  it('sends a chat message as the bot and exits 0 once the server has it', async () => {
    const run = await runNatter(['say', 'alice@localhost', 'deploy', 'done'], env)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toBe('sent to alice@localhost\n')
    const message = await alice.waitFor((s) => s.name === 'message' && s.getChildText('body') === 'deploy done')
    expect(message.attrs.type).toBe('chat')
    expect(message.attrs.from).toMatch(/^oneoffbot@localhost\/oneoff-/)
  })

  it('reads the text from stdin when none is given', async () => {
    const run = await runNatter(['say', 'alice@localhost'], env, { input: 'line one\nline two\n' })
    expect(run.code, run.stderr).toBe(0)
    await alice.waitFor((s) => s.name === 'message' && s.getChildText('body') === 'line one\nline two')
  })

  it('exits 64 when there is nothing to say', async () => {
    const run = await runNatter(['say', 'alice@localhost'], env, { input: '\n' })
    expect(run.code).toBe(64)
  })

  it('exits 69 when the server bounces the message', async () => {
    const run = await runNatter(['say', 'nobody@localhost', 'hello?'], env)
    expect(run.code).toBe(69)
    expect(run.stderr).toBe('natter: nobody@localhost: not delivered (service-unavailable)\n')
  })

  it("joins a room (its disco says it is one), says it there under the bot's nick, and leaves", async () => {
    const run = await runNatter(['say', LOBBY, 'release 1.2 is out'], env)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toBe(`said in ${LOBBY} as oneoffbot\n`)
    const message = await alice.waitFor((s) => s.name === 'message' && s.getChildText('body') === 'release 1.2 is out')
    expect(message.attrs).toMatchObject({ type: 'groupchat', from: `${LOBBY}/oneoffbot` })
    await alice.waitFor((s) => s.name === 'presence' && s.attrs.from === `${LOBBY}/oneoffbot` && s.attrs.type === 'unavailable')
  })

  it('speaks in a room under the nick XMPP_ROOMS gives the bot there, or --nick', async () => {
    const fromRooms = await runNatter(['say', LOBBY, 'from the rooms setting'], { ...env, XMPP_ROOMS: `${LOBBY}/helper` })
    expect(fromRooms.code, fromRooms.stderr).toBe(0)
    await alice.waitFor((s) => s.name === 'message' && s.attrs.from === `${LOBBY}/helper` && s.getChildText('body') === 'from the rooms setting')
    const fromFlag = await runNatter(['say', '--nick', 'herald', LOBBY, 'hear ye'], env)
    expect(fromFlag.code, fromFlag.stderr).toBe(0)
    await alice.waitFor((s) => s.name === 'message' && s.attrs.from === `${LOBBY}/herald` && s.getChildText('body') === 'hear ye')
  })
})

describe('when it cannot log in', () => {
  it('exits 77 with one line naming the JID when the password is wrong, never printing it', async () => {
    const wrong = 'Wrong-Password-5150'
    const run = await runNatter(['check'], { ...env, JPASSWORD: wrong })
    expect(run.code).toBe(77)
    expect(run.stdout).toBe('')
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^natter: login refused for oneoffbot@localhost/)])
    expect(run.stderr).not.toContain(wrong)
  })

  it.each([
    ['JPASSWORD', undefined],
    ['JID', 'not-a-jid@'],
    ['LOG_LEVEL', 'loud'],
    ['XMPP_ROOMS', 'not a room'],
  ])('exits 78 naming %s, as the bot would, before connecting', async (variable, value) => {
    const settings: Record<string, string> = { ...env }
    if (value === undefined) delete settings[variable]
    else settings[variable] = value
    const run = await runNatter(['ping'], settings)
    expect(run.code).toBe(78)
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^natter: ${variable}: `))])
  })

  it('exits 69 once the server has been unreachable for --timeout seconds', async () => {
    const run = await runNatter(['ping', '--timeout', '2'], { ...env, XMPP_SERVICE: `xmpp://127.0.0.1:${await closedPort()}` })
    expect(run.code).toBe(69)
    expect(run.stderr).toMatch(/ECONNREFUSED/)
    expect(run.stderr).toMatch(/giving up\n$/)
  })

  it('exits 130 on SIGINT while it waits for the server, without going on to its task', async () => {
    const unreachable = { ...env, XMPP_SERVICE: `xmpp://127.0.0.1:${await closedPort()}` }
    const run = await runNatter(['say', 'alice@localhost', 'never sent'], unreachable, { signal: { name: 'SIGINT', once: /ECONNREFUSED/ } })
    expect(run.code).toBe(130)
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/ECONNREFUSED/), 'natter: interrupted'])
  })

  it('reads .env in the working directory, where variables already set win', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'natter-cli-dotenv-'))
    try {
      await writeFile(join(dir, '.env'), `JID=${env.JID}\nJPASSWORD=${PASSWORD}\nXMPP_SERVICE=xmpp://127.0.0.1:1\n`)
      const run = await runNatter(['ping'], { XMPP_SERVICE: prosody.service }, { cwd: dir })
      expect(run.code, run.stderr).toBe(0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('a server whose certificate is not trusted', () => {
  it('exits 76', async () => {
    const tls = await startProsody({ tls: true, muc: false })
    try {
      const jid = await tls.register('tlsbot', PASSWORD)
      const run = await runNatter(['ping'], { JID: jid, JPASSWORD: PASSWORD, XMPP_SERVICE: tls.service })
      expect(run.code).toBe(76)
      expect(run.stderr).toContain('NODE_EXTRA_CA_CERTS')
    } finally {
      await tls.stop()
    }
  })
})
