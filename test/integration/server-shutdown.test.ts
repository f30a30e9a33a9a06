// A server that stops sends `system-shutdown` and drops the link; ejabberd does so without ending the stream.
// xmpp.js then waits up to its timeout (natter's connect timeout) for the stream's end that never comes, and
// used to close the socket it had by then: the link natter had made since. Seen as ejabberd "disconnecting"
// every bot 30 s after its restart.
import { createBot } from 'natter'
import { afterEach, expect, it } from 'vitest'
import { type ScriptedServer, startScriptedServer } from '../support/scripted-server.js'

const PASSWORD = 'shutdown-pw'
let server: ScriptedServer | undefined

afterEach(async () => {
  await server?.close()
})

it("keeps the link made after a server's shutdown when the old stream's close times out", async () => {
  server = await startScriptedServer({ mechanisms: ['SCRAM-SHA-256'], behaviour: { kind: 'honest', password: PASSWORD }, shutDownOn: [1] })
  const connectTimeout = 4_000
  const bot = createBot({ env: {}, jid: 'bot@localhost', password: PASSWORD, service: server.service, logLevel: 'silent', reconnect: { connectTimeout } })
  const ready: boolean[] = []
  bot.on('ready', ({ resumed }) => ready.push(resumed))
  await bot.start()
  await expect.poll(() => server?.on(2) ?? [], { timeout: 15_000 }).toContain('bind')
  // Past the old stream's close timeout, with a margin: still the link of the second connection.
  await new Promise((resolve) => setTimeout(resolve, connectTimeout + 2_000))
  expect(server.on(1)).toContain('shut down')
  expect(server.on(3)).toEqual([])
  expect(ready).toEqual([false, false])
  await bot.stop(1_000)
}, 30_000)
