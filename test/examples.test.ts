// The examples, imported as a test imports a bot: built, never run, wired to the test kit.

import { testKit } from 'natter/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildCommands } from '../examples/commands.js'
import { buildEcho } from '../examples/echo.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('the echo example', () => {
  it('echoes to whoever writes, and approves subscriptions', async () => {
    const kit = await testKit(buildEcho())
    const alice = kit.contact('alice@example.org')
    expect(await alice.say('hi')).toEqual(['You said: hi'])
    expect((await alice.subscribe()).stanzas.map((s) => s.attrs.type)).toEqual(['subscribed'])
  })
})

describe('the commands example', () => {
  it('answers commands in a chat and, addressed, in a room', async () => {
    const kit = await testKit(buildCommands({ env: { XMPP_ROOMS: 'team@conference.example.org/helper' } }), {
      rooms: { 'team@conference.example.org': { occupants: ['carol'] } },
    })
    expect(await kit.contact('alice@example.org').say('echo hello')).toEqual(['hello'])
    const room = await kit.room('team@conference.example.org')
    const [help] = await room.say('carol', 'helper: help')
    expect(help).toContain('remind <seconds> <text...>')
    expect(help).toContain('address me as "helper: <command>"')
  })

  it('reminds later without holding the handler, under fake timers', async () => {
    vi.useFakeTimers()
    const kit = await testKit(buildCommands())
    const alice = kit.contact('alice@example.org')
    expect(await alice.say('remind 10 stretch')).toEqual(['OK, in 10 s.'])
    await vi.advanceTimersByTimeAsync(10_000)
    expect(alice.received.at(-1)).toBe('⏰ stretch')
  })

  it('tells who loses a reminder when it stops', async () => {
    const bot = buildCommands()
    const kit = await testKit(bot)
    const alice = kit.contact('alice@example.org')
    await alice.say('remind 600 stretch')
    await bot.stop()
    expect(alice.received.at(-1)).toBe('I am restarting and lost your reminder "stretch", sorry: please set it again.')
  })

  it('waits in a slow handler for as long as the fake clock lets it', async () => {
    vi.useFakeTimers()
    const kit = await testKit(buildCommands())
    const alice = kit.contact('alice@example.org')
    const waiting = alice.say('wait 5')
    await vi.advanceTimersByTimeAsync(5_000)
    const replies = await waiting
    expect(replies).toEqual(['Waited 5 s'])
    expect(replies.stanzas[0]?.getChild('composing')).toBeDefined()
  })
})
