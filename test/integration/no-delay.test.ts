// The bot's connection writes at once: with Nagle's algorithm on, each request the bot made (a store read, a
// ping) waited about 40 ms for the server's delayed ACK before its <r/> could follow it.
import { Socket } from 'node:net'
import { createBot } from 'natter'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'

let prosody: Prosody

beforeAll(async () => {
  prosody = await startProsody({ muc: false })
})
afterAll(() => prosody?.stop())

it('turns Nagle’s algorithm off on the socket to the server', async () => {
  const jid = await prosody.register('nodelay', 'pw')
  const noDelay = vi.spyOn(Socket.prototype, 'setNoDelay')
  const bot = createBot({ env: {}, jid, password: 'pw', service: prosody.service, logLevel: 'silent', formation: false })
  try {
    await bot.start()
    const toServer = noDelay.mock.contexts.filter((socket, i) => (socket as Socket).remotePort === prosody.port && noDelay.mock.calls[i]?.[0] !== false)
    expect(toServer.length).toBeGreaterThan(0)
  } finally {
    noDelay.mockRestore()
    await bot.stop(1_000)
  }
})
