// The benchmark's library-free floor bot (built: run `npx tsc -p tsconfig.json` first) against a real Prosody: it
// must answer every numbered message exactly once, or its CPU per echo would be the price of less work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LoadClient } from '../../bench/load-client.js'
import { paced } from '../../bench/paced.js'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type BotProcess, startBotProcess } from '../../tools/bot-process.js'

const MESSAGES = 300

let prosody: Prosody
let bot: BotProcess
let client: LoadClient
let botJid: string

beforeAll(async () => {
  prosody = await startProsody({ muc: false })
  botJid = await prosody.register('floor', 'floor-pw')
  await prosody.register('sender', 'sender-pw')
  bot = startBotProcess('dist/bench/bots/floor-echo.js', { JID: botJid, JPASSWORD: 'floor-pw', XMPP_SERVICE: prosody.service, XMPP_RESOURCE: 'floor' })
  for (let waited = 0; !bot.output().includes('floor-echo: online'); waited += 20) {
    if (waited > 10_000) throw new Error(`the floor bot did not come online: ${bot.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  client = await LoadClient.connect({ host: prosody.host, port: prosody.port, domain: prosody.domain, user: 'sender', password: 'sender-pw', resource: 'load' })
})

afterAll(async () => {
  bot?.kill('SIGKILL')
  await client?.close()
  await prosody?.stop()
})

describe('the floor echo bot', () => {
  it('answers every numbered message once, and counts what it answered', async () => {
    const result = await paced({
      client,
      to: botJid,
      answerPrefix: 'You said: ',
      count: MESSAGES,
      rate: 1_000,
      tag: 'n',
      stallMs: 1_000,
      pid: bot.child.pid ?? 0,
    })
    expect(result).toMatchObject({ sent: MESSAGES, answered: MESSAGES, lost: 0, duplicates: 0 })
    // Messages it must not answer: not chat, or without a body; then one it must.
    await client.write(`<message to='${botJid}' type='normal' id='x'><body>n-0</body></message>`)
    await client.write(`<message to='${botJid}' type='chat' id='y'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`)
    await client.write(`<message to='${botJid}' type='chat' id='z'><body>a &amp; b</body></message>`)
    const answer = await new Promise<string[]>((resolve) => {
      client.onBodies = resolve
    })
    expect(answer).toEqual(['You said: a & b'])
    bot.kill('SIGTERM')
    await bot.exited
    expect(bot.output()).toContain(`floor-echo: answered ${MESSAGES + 1}\n`)
  })
})
