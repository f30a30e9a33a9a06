// A server that sends the bot what no honest server relays, once the bot is bound: addresses xmpp.js cannot parse,
// malformed IQs nested deep, a stanza that never ends. The bot must answer what can be answered, drop the rest, and
// never crash; a stanza bigger than any server relays ends that link, not the process.
import { afterEach, describe, expect, it } from 'vitest'
import { type BotProcess, startBotProcess } from '../../tools/bot-process.js'
import { type ScriptedServer, startScriptedServer } from '../support/scripted-server.js'

const ECHO = 'dist/examples/echo.js'
const PASSWORD = 'rogue-server-pw'
const servers: ScriptedServer[] = []
const bots: BotProcess[] = []

afterEach(async () => {
  for (const bot of bots.splice(0)) {
    bot.kill('SIGKILL')
    await bot.exited
  }
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function botAgainst(afterBind: string, env: Record<string, string> = {}): Promise<{ bot: BotProcess; server: ScriptedServer }> {
  const server = await startScriptedServer({ mechanisms: ['SCRAM-SHA-256'], behaviour: { kind: 'honest', password: PASSWORD }, afterBind })
  servers.push(server)
  const bot = startBotProcess(ECHO, { JID: 'bot@localhost', JPASSWORD: PASSWORD, XMPP_SERVICE: server.service, ...env })
  bots.push(bot)
  return { bot, server }
}

const ping = (id: string, from = 'localhost') => `<iq type='get' from='${from}' to='bot@localhost/scripted' id='${id}'><ping xmlns='urn:xmpp:ping'/></iq>`

describe('a server sending what no honest server relays', () => {
  it('an IQ from an address without a domain is dropped; the next one is answered', async () => {
    const { bot, server } = await botAgainst(ping('from-nowhere', 'a@/x') + ping('after-it'))
    await expect.poll(() => server.on(1), { timeout: 10_000 }).toContain('iq result after-it')
    expect(server.on(1)).not.toContain('iq result from-nowhere')
    await bot.waitForLog((l) => l.msg === 'ignored a stanza xmpp.js cannot handle')
    expect(bot.child.exitCode).toBeNull()
  })

  it('a malformed IQ nested 20,000 deep gets bad-request, without its depth, and the bot goes on', async () => {
    const depth = 20_000
    const deep = `<iq type='get' from='localhost' id='deep'><a xmlns='urn:example:a'>${'<b>'.repeat(depth)}${'</b>'.repeat(depth)}</a><c xmlns='urn:example:c'/></iq>`
    const { bot, server } = await botAgainst(deep + ping('after-it'))
    await expect.poll(() => server.on(1), { timeout: 10_000 }).toContain('iq result after-it')
    expect(server.on(1)).toContain('iq error deep bad-request')
    expect(bot.child.exitCode).toBeNull()
  })

  it('a stanza of 3 MB, as big as the roster of a bot with many contacts, is read whole: the link stays', async () => {
    const big = `<message from='alice@localhost/x' type='chat' id='big'><body>${'x'.repeat(3 * 1024 * 1024)}</body></message>`
    const { bot, server } = await botAgainst(big + ping('after-it'))
    await expect.poll(() => server.on(1), { timeout: 10_000 }).toContain('iq result after-it')
    // Its echo is another matter: over the stanza limit, refused unwritten.
    await bot.waitForLog((l) => l.msg === 'stanza not delivered' && l.reason === 'too-big')
    expect(server.on(2)).toEqual([])
  })

  it('a stanza that never ends costs that link only: the bot lets go of it and connects again', async () => {
    // 64 x 16 KiB: the bot reads at most 1 MiB of one stanza.
    const { bot, server } = await botAgainst(`<message from='localhost' type='chat'><body>${'x'.repeat(3 * 1024 * 1024)}`, {
      XMPP_MAX_STANZA_SIZE: String(16 * 1024),
    })
    await bot.waitForLog((l) => l.msg === 'the server sent a stanza bigger than any server relays; dropping the link', 15_000)
    await expect.poll(() => server.on(2), { timeout: 15_000 }).toContain('bind')
    expect(bot.child.exitCode).toBeNull()
  })
})
