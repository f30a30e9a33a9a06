// How the built echo bot behaves as a process when it cannot simply run: bad configuration, a refused
// login, an unreachable server, and its flags.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { botSettings } from '../../src/create-bot.js'
import { ROOT, startBotProcess } from '../../tools/bot-process.js'
import { closedPort } from '../support/closed-port.js'

const ECHO = 'dist/examples/echo.js'
const PASSWORD = 'pw-Process-0815'

let prosody: Prosody
let botJid: string

beforeAll(async () => {
  prosody = await startProsody({ muc: false })
  botJid = await prosody.register('procbot', PASSWORD)
})

afterAll(async () => {
  await prosody?.stop()
})

describe('configuration errors', () => {
  it('exits 78 with one line naming JID when JID is missing, before connecting', async () => {
    const bot = startBotProcess(ECHO, { JPASSWORD: PASSWORD, XMPP_SERVICE: prosody.service })
    const { code } = await bot.exited
    expect(code).toBe(78)
    const lines = bot.output().trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/\bJID\b/)
    expect(lines[0]).not.toContain('connecting')
  })

  it('exits 78 naming JPASSWORD when it is missing', async () => {
    const bot = startBotProcess(ECHO, { JID: botJid, XMPP_SERVICE: prosody.service })
    expect((await bot.exited).code).toBe(78)
    expect(bot.output()).toMatch(/^natter: JPASSWORD: /)
  })

  it.each([
    ['JID', 'not-a-jid@'],
    ['XMPP_SERVICE', 'http://example.org'],
    ['XMPP_SERVICE', 'xmpp://127.0.0.1:99999'],
    ['LOG_LEVEL', 'loud'],
  ])('exits 78 naming %s when it is malformed (%s)', async (variable, value) => {
    const env = { JID: botJid, JPASSWORD: PASSWORD, XMPP_SERVICE: prosody.service, [variable]: value }
    const bot = startBotProcess(ECHO, env)
    expect((await bot.exited).code).toBe(78)
    expect(bot.output().trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^natter: ${variable}: `))])
    expect(bot.output()).not.toContain(PASSWORD)
  })

  it('reads .env from the working directory without overriding set variables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'natter-dotenv-'))
    writeFileSync(join(dir, '.env'), `JID=${botJid}\nJPASSWORD=${PASSWORD}\nXMPP_SERVICE=xmpp://127.0.0.1:1\n`)
    const bot = startBotProcess(ECHO, { XMPP_SERVICE: prosody.service }, [], dir)
    await bot.waitForLog((l) => l.msg === 'online')
    bot.kill('SIGTERM')
    expect((await bot.exited).code).toBe(0)
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('login refused', () => {
  it('exits non-zero at the first refusal, with a line naming the JID, never the password', async () => {
    const wrong = 'Wrong-Password-1234'
    const bot = startBotProcess(ECHO, { JID: botJid, JPASSWORD: wrong, XMPP_SERVICE: prosody.service }, ['-D'])
    const { code } = await bot.exited
    expect(code).toBe(77)
    expect(bot.output()).not.toContain('reconnecting')
    const fatal = bot
      .output()
      .split('\n')
      .filter((l) => l.includes('"level":60'))
    expect(fatal).toHaveLength(1)
    expect(fatal[0]).toContain(botJid)
    expect(bot.output()).not.toContain(wrong)
  })
})

describe('server unreachable at start', () => {
  it('keeps retrying with growing delays, logging each attempt, and still stops on SIGTERM', async () => {
    const port = await closedPort()
    const bot = startBotProcess(ECHO, { JID: botJid, JPASSWORD: PASSWORD, XMPP_SERVICE: `xmpp://127.0.0.1:${port}` })
    await bot.waitForLog((l) => l.attempt === 3, 20_000)
    expect(bot.child.exitCode).toBeNull()
    bot.kill('SIGTERM')
    expect((await bot.exited).code).toBe(0)
  })
})

describe('flags', () => {
  it('--version prints the version', async () => {
    const bot = startBotProcess(ECHO, {}, ['--version'])
    expect((await bot.exited).code).toBe(0)
    expect(bot.output()).toMatch(/^natter \d+\.\d+\.\d+\n$/)
  })

  it('--help lists the flags and variables, those of the features createBot() installs too', async () => {
    const bot = startBotProcess(ECHO, {}, ['--help'])
    expect((await bot.exited).code).toBe(0)
    expect(bot.output()).toContain('--debug')
    for (const setting of botSettings()) expect(bot.output()).toMatch(new RegExp(`^ {2}${setting.variable} {2,}\\S`, 'm'))
  })

  it('--help shows the command as typed from the current directory', async () => {
    const bot = startBotProcess(ECHO, {}, ['--help'], join(ROOT, 'dist/examples'))
    expect((await bot.exited).code).toBe(0)
    expect(bot.output()).toMatch(/^Usage: node echo\.js \[options\]$/m)
  })

  it('an unknown flag exits 64', async () => {
    const bot = startBotProcess(ECHO, {}, ['--frobnicate'])
    expect((await bot.exited).code).toBe(64)
    expect(bot.output()).toContain('--frobnicate')
  })
})
