// Logging in against servers that lie, or that offer no protection: natter must stop with one clear line and a
// non-zero exit, never bind to a server that did not prove it knows the password, never send a password (or a
// proof of it) where it must not, and bind its SCRAM to the TLS channel when the server says how.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createBot } from 'natter'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { selfSignedCertificate } from '../../src/cli/sandbox/servers/self-signed-certificate.js'
import { type BotProcess, startBotProcess } from '../../tools/bot-process.js'
import { createNetworkNamespace, type NetworkNamespace } from '../support/network-namespace.js'
import { type ScriptedServer, type ScriptedServerOptions, startScriptedServer } from '../support/scripted-server.js'

const ECHO = 'dist/examples/echo.js'
const PASSWORD = 'pw-Scripted-9753'
const running: BotProcess[] = []
const servers: ScriptedServer[] = []
let certDir: string
let tls: { key: string; cert: string; file: string }

beforeAll(async () => {
  certDir = await mkdtemp(path.join(os.tmpdir(), 'natter-scripted-'))
  const { key, certificate } = await selfSignedCertificate(certDir, ['localhost'])
  tls = { key: await readFile(key, 'utf8'), cert: await readFile(certificate, 'utf8'), file: certificate }
})

afterEach(async () => {
  for (const bot of running.splice(0)) {
    bot.kill('SIGKILL')
    await bot.exited
  }
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

afterAll(async () => {
  await rm(certDir, { recursive: true, force: true })
})

async function server(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const started = await startScriptedServer(options)
  servers.push(started)
  return started
}

function start(service: string, env: Record<string, string> = {}): BotProcess {
  const bot = startBotProcess(ECHO, { JID: 'bot@localhost', JPASSWORD: PASSWORD, XMPP_SERVICE: service, ...env }, ['-D'])
  running.push(bot)
  return bot
}

/** The fatal log lines, as written. */
const fatal = (bot: BotProcess): string[] =>
  bot
    .output()
    .split('\n')
    .filter((l) => l.includes('"level":60'))

/** Exits with `code` after one attempt, with one fatal line; never shows the password. Returns that line. */
async function stopsFor(bot: BotProcess, code: number, server: ScriptedServer): Promise<string> {
  const exit = await bot.exited
  expect(exit.code).toBe(code)
  expect(fatal(bot)).toHaveLength(1)
  expect(server.events.filter((e) => e.connection > 1)).toEqual([])
  expect(bot.output()).not.toContain('reconnecting')
  expect(bot.output()).not.toContain(PASSWORD)
  return fatal(bot)[0] as string
}

describe('a server that does not know the password', () => {
  it('forges the SCRAM server signature: natter does not bind, and exits 77 at once', async () => {
    const rogue = await server({ mechanisms: ['SCRAM-SHA-256', 'PLAIN'], behaviour: { kind: 'forged-signature' } })
    const line = await stopsFor(start(rogue.service), 77, rogue)
    expect(rogue.on(1)).toEqual(expect.arrayContaining(['auth SCRAM-SHA-256', 'response']))
    expect(rogue.on(1)).not.toContain('bind')
    expect(line).toContain('bot@localhost')
    expect(line).toContain(rogue.service)
    expect(line).toContain('could not prove that it knows the password')
  })

  it('asks for 2,000,000,000 PBKDF2 iterations: natter refuses without computing, and exits 77 at once', async () => {
    const rogue = await server({ mechanisms: ['SCRAM-SHA-256'], behaviour: { kind: 'iterations', count: 2_000_000_000 } })
    const bot = start(rogue.service)
    const line = await stopsFor(bot, 77, rogue)
    expect(rogue.on(1)).toContain('auth SCRAM-SHA-256')
    expect(rogue.on(1)).not.toContain('response')
    expect(line).toContain('2000000000 PBKDF2 iterations')
  })
})

describe('a server with no mechanism natter accepts', () => {
  it('is not retried: one line listing what it offers, exit 77', async () => {
    const odd = await server({ mechanisms: ['DIGEST-MD5', 'X-OAUTH2'], behaviour: { kind: 'honest', password: PASSWORD } })
    const line = await stopsFor(start(odd.service), 77, odd)
    expect(odd.on(1).filter((e) => e.startsWith('auth'))).toEqual([])
    expect(line).toContain(`${odd.service} offers no login mechanism natter accepts (offered: DIGEST-MD5, X-OAUTH2;`)
  })
})

describe('a server without TLS', () => {
  it('offering only PLAIN on loopback: natter sends nothing of the password and exits 76', async () => {
    const plain = await server({ mechanisms: ['PLAIN'], behaviour: { kind: 'honest', password: PASSWORD } })
    const line = await stopsFor(start(plain.service), 76, plain)
    expect(plain.on(1).filter((e) => e.startsWith('auth'))).toEqual([])
    expect(line).toContain(`${plain.service} offers no SCRAM (offered: PLAIN) and no TLS`)
  })

  describe('on an address that is not loopback (the bot in a network namespace of its own)', () => {
    let namespace: NetworkNamespace | undefined
    let unavailable = ''

    beforeAll(async () => {
      const made = await createNetworkNamespace()
      if (typeof made === 'string') unavailable = made
      else namespace = made
    })

    afterAll(async () => {
      await namespace?.remove()
    })

    /** The server on this side's end of the veth pair, and a bot inside the namespace connecting to it. */
    async function across(context: { skip(note?: string): never }, env: Record<string, string> = {}) {
      if (!namespace) return context.skip(`skipped: ${unavailable}`)
      const remote = await server({ host: namespace.outside, mechanisms: ['SCRAM-SHA-256', 'PLAIN'], behaviour: { kind: 'honest', password: PASSWORD } })
      const bot = startBotProcess(
        ECHO,
        { JID: 'bot@localhost', JPASSWORD: PASSWORD, XMPP_SERVICE: remote.service, ...env },
        ['-D'],
        undefined,
        namespace.launcher,
      )
      running.push(bot)
      return { remote, bot }
    }

    it('is refused before any login: one line naming the server and the missing TLS, exit 76', async (context) => {
      const { remote, bot } = await across(context)
      const line = await stopsFor(bot, 76, remote)
      expect(remote.on(1)).toEqual(['connect'])
      expect(line).toContain(`${remote.service} offers no TLS`)
      expect(line).toContain('XMPP_ALLOW_INSECURE=1')
    })

    it('is logged in to with the XMPP_ALLOW_INSECURE opt-in, with a warning that never shows the password', async (context) => {
      const { remote, bot } = await across(context, { XMPP_ALLOW_INSECURE: '1' })
      await bot.waitForLog((l) => l.msg === 'online')
      expect(remote.on(1)).toEqual(expect.arrayContaining(['auth SCRAM-SHA-256', 'proof ok', 'bind']))
      expect(bot.output()).toContain('logging in without TLS (XMPP_ALLOW_INSECURE)')
      expect(bot.output()).not.toContain(PASSWORD)
    })
  })
})

describe('mechanism and channel binding', () => {
  it('prefers SCRAM-SHA-512 to SHA-256, SHA-1 and PLAIN, and logs in', async () => {
    const honest = await server({ mechanisms: ['PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], behaviour: { kind: 'honest', password: PASSWORD } })
    const bot = start(honest.service)
    await bot.waitForLog((l) => l.msg === 'online')
    expect(honest.on(1)).toEqual(expect.arrayContaining(['auth SCRAM-SHA-512', 'gs2 n,,', 'proof ok', 'bind']))
  })

  it.each(['tls-exporter', 'tls-server-end-point'])('binds SCRAM-SHA-256-PLUS to the TLS channel with %s when the server announces it', async (type) => {
    const honest = await server({
      mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-256-PLUS'],
      channelBindingTypes: [type, 'tls-unique'],
      tls,
      behaviour: { kind: 'honest', password: PASSWORD },
    })
    const bot = start(honest.service, { NODE_EXTRA_CA_CERTS: tls.file })
    const login = await bot.waitForLog((l) => l.msg === 'logging in')
    expect(login).toMatchObject({ mechanism: 'SCRAM-SHA-256-PLUS', channelBinding: type, protection: 'tls' })
    await bot.waitForLog((l) => l.msg === 'online')
    expect(honest.on(1)).toEqual(
      expect.arrayContaining(['starttls', 'auth SCRAM-SHA-256-PLUS', `gs2 p=${type},,`, `channel-binding ${type} ok`, 'proof ok', 'bind']),
    )
  })

  it('logs in with SASL, where it checks the server, even when SASL2 is offered too', async () => {
    const honest = await server({ mechanisms: ['SCRAM-SHA-256'], sasl2: true, behaviour: { kind: 'honest', password: PASSWORD } })
    const bot = start(honest.service)
    await bot.waitForLog((l) => l.msg === 'online')
    expect(honest.on(1)).toEqual(expect.arrayContaining(['auth SCRAM-SHA-256', 'proof ok', 'bind']))
    expect(honest.on(1)).not.toContain('authenticate')
  })

  it('over TLS without -PLUS on offer, tells the server it could have bound (y), and logs in', async () => {
    const honest = await server({ mechanisms: ['SCRAM-SHA-256', 'PLAIN'], tls, behaviour: { kind: 'honest', password: PASSWORD } })
    const bot = start(honest.service, { NODE_EXTRA_CA_CERTS: tls.file })
    await bot.waitForLog((l) => l.msg === 'online')
    expect(honest.on(1)).toEqual(expect.arrayContaining(['auth SCRAM-SHA-256', 'gs2 y,,', 'proof ok']))
  })
})

describe('no downgrade through a relay', () => {
  it('binds with -PLUS when it is offered without the XEP-0440 list, though SCRAM-SHA-256 and PLAIN are offered too', async () => {
    const relayed = await server({ mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256', 'PLAIN'], tls, behaviour: { kind: 'honest', password: PASSWORD } })
    const bot = start(relayed.service, { NODE_EXTRA_CA_CERTS: tls.file })
    await bot.waitForLog((l) => l.msg === 'online')
    // Node negotiates TLS 1.3 with itself: RFC 9266 makes tls-exporter the default there.
    expect(relayed.on(1)).toEqual(expect.arrayContaining(['auth SCRAM-SHA-256-PLUS', 'gs2 p=tls-exporter,,', 'channel-binding tls-exporter ok', 'proof ok']))
  })

  it('offered SCRAM-SHA-256-PLUS and PLAIN where it cannot bind, sends nothing of the password and exits', async () => {
    const relayed = await server({ mechanisms: ['SCRAM-SHA-256-PLUS', 'PLAIN'], behaviour: { kind: 'honest', password: PASSWORD } })
    const line = await stopsFor(start(relayed.service), 77, relayed)
    expect(relayed.on(1).filter((e) => e.startsWith('auth'))).toEqual([])
    expect(line).toContain('does not fall back to PLAIN')
  })
})

describe('direct TLS (xmpps://)', () => {
  let otherDir: string
  let other: { key: string; cert: string; file: string }

  beforeAll(async () => {
    otherDir = await mkdtemp(path.join(os.tmpdir(), 'natter-scripted-'))
    const { key, certificate } = await selfSignedCertificate(otherDir, ['elsewhere.test'])
    other = { key: await readFile(key, 'utf8'), cert: await readFile(certificate, 'utf8'), file: certificate }
  })

  afterAll(async () => {
    await rm(otherDir, { recursive: true, force: true })
  })

  it("checks the certificate against the JID's domain, not the host it connects to", async () => {
    const direct = await server({ mechanisms: ['SCRAM-SHA-256'], tls, directTls: true, behaviour: { kind: 'honest', password: PASSWORD } })
    expect(direct.service).toMatch(/^xmpps:\/\/127\.0\.0\.1:/)
    const bot = start(direct.service, { NODE_EXTRA_CA_CERTS: tls.file })
    await bot.waitForLog((l) => l.msg === 'online')
    expect(direct.on(1)).toEqual(expect.arrayContaining(['auth SCRAM-SHA-256', 'proof ok', 'bind']))
  })

  it('refuses a trusted certificate for another name before any login: exit 76', async () => {
    const impostor = await server({ mechanisms: ['SCRAM-SHA-256', 'PLAIN'], tls: other, directTls: true, behaviour: { kind: 'honest', password: PASSWORD } })
    const line = await stopsFor(start(impostor.service, { NODE_EXTRA_CA_CERTS: other.file }), 76, impostor)
    expect(impostor.on(1).filter((e) => e.startsWith('auth'))).toEqual([])
    expect(line).toContain('bot@localhost')
  })

  it('takes the other name when XMPP_TLS_NAME names it', async () => {
    const hosted = await server({ mechanisms: ['SCRAM-SHA-256'], tls: other, directTls: true, behaviour: { kind: 'honest', password: PASSWORD } })
    const bot = start(hosted.service, { NODE_EXTRA_CA_CERTS: other.file, XMPP_TLS_NAME: 'elsewhere.test' })
    await bot.waitForLog((l) => l.msg === 'online')
    expect(hosted.on(1)).toEqual(expect.arrayContaining(['auth SCRAM-SHA-256', 'proof ok']))
  })
})

describe('a server that refuses the stream for good', () => {
  it('host-unknown (a typo in the domain) is not retried: one line naming what to check, exit 78', async () => {
    const elsewhere = await server({ mechanisms: ['SCRAM-SHA-256'], streamError: 'host-unknown', behaviour: { kind: 'honest', password: PASSWORD } })
    const line = await stopsFor(start(elsewhere.service), 78, elsewhere)
    expect(line).toContain("bot@localhost: the server refused the stream (host-unknown): it does not serve the JID's domain; check JID and XMPP_SERVICE")
  })
})

describe('an abandoned attempt', () => {
  it('leaves the next connection alone: one answer per challenge there, and the retry logs in', async () => {
    const flaky = await server({ mechanisms: ['SCRAM-SHA-256'], silentOn: [1], behaviour: { kind: 'honest', password: PASSWORD } })
    const bot = createBot({
      env: {},
      jid: 'bot@localhost',
      password: PASSWORD,
      service: flaky.service,
      logLevel: 'silent',
      reconnect: { connectTimeout: 1_000, initialDelay: 50, maxDelay: 100 },
    })
    try {
      await bot.start()
      expect(flaky.on(1)).toEqual(['connect', 'auth SCRAM-SHA-256'])
      expect(flaky.on(2).filter((e) => e === 'response')).toHaveLength(1)
      expect(flaky.on(2)).toEqual(expect.arrayContaining(['proof ok', 'bind']))
    } finally {
      await bot.stop(100)
    }
  })
})
