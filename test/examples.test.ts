// The examples, imported as a test imports a bot: built, never run, wired to the test kit.

import { signBody } from 'natter'
import { testKit } from 'natter/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildCommands } from '../examples/commands.js'
import { buildEcho } from '../examples/echo.js'
import { buildGithub } from '../examples/github.js'
import { buildNotify } from '../examples/notify.js'
import { buildTodo } from '../examples/todo.js'

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

/** A POST signed as GitHub signs, with `secret`. */
function signedPost(secret: string, payload: unknown, headers: Record<string, string> = {}): RequestInit {
  const body = JSON.stringify(payload)
  return { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(secret, body), ...headers } }
}

describe('the notify example', () => {
  const ROOM = 'team@conference.example.org'

  it('sends a signed notification to a JID as a chat, and to a room it is in as a groupchat', async () => {
    const kit = await testKit(buildNotify({ env: { WEBHOOK_SECRET: 'hook', XMPP_ROOMS: `${ROOM}/notifier` } }), { rooms: { [ROOM]: { occupants: ['carol'] } } })
    const chat = await kit.fetch('/notify', signedPost('hook', { to: 'alice@example.org', text: 'deployed' }))
    expect(chat.response.status).toBe(202)
    expect(chat.sent.map((s) => [s.attrs.to, s.attrs.type, s.getChildText('body')])).toEqual([['alice@example.org', 'chat', 'deployed']])
    const room = await kit.room(ROOM)
    await kit.fetch('/notify', signedPost('hook', { to: ROOM, text: 'build green' }))
    expect([...room.messages]).toContain('build green')
  })

  it('refuses an unsigned request and a body without to and text', async () => {
    const kit = await testKit(buildNotify({ env: { WEBHOOK_SECRET: 'hook' } }))
    const unsigned = await kit.fetch('/notify', { ...signedPost('hook', {}), headers: { 'content-type': 'application/json' } })
    expect(unsigned.response.status).toBe(401)
    expect((await kit.fetch('/notify', signedPost('hook', { to: 'alice@example.org' }))).response.status).toBe(422)
    expect(kit.sent.filter((s) => s.name === 'message')).toEqual([])
  })
})

describe('the GitHub example', () => {
  const ROOM = 'dev@conference.example.org'
  const repository = { full_name: 'acme/app' }

  it('summarises pushes and finished workflow runs into the room the hook names', async () => {
    const kit = await testKit(buildGithub({ env: { GITHUB_WEBHOOK_SECRET: 'gh', XMPP_ROOMS: ROOM } }), { rooms: { [ROOM]: {} } })
    const push = {
      ref: 'refs/heads/main',
      compare: 'https://example.org/c/1',
      pusher: { name: 'carol' },
      repository,
      commits: [{ message: 'Fix the build\n\nlong text' }],
    }
    const pushed = await kit.fetch(`/github/${ROOM}`, signedPost('gh', push, { 'x-github-event': 'push' }))
    expect(pushed.response.status).toBe(202)
    const run = { name: 'CI', head_branch: 'main', conclusion: 'failure', html_url: 'https://example.org/r/7' }
    await kit.fetch(`/github/${ROOM}`, signedPost('gh', { action: 'in_progress', repository, workflow_run: run }, { 'x-github-event': 'workflow_run' }))
    await kit.fetch(`/github/${ROOM}`, signedPost('gh', { action: 'completed', repository, workflow_run: run }, { 'x-github-event': 'workflow_run' }))
    const room = await kit.room(ROOM)
    expect([...room.messages]).toEqual([
      'carol pushed 1 commit: Fix the build to acme/app main https://example.org/c/1',
      '❌ CI on acme/app main: failure https://example.org/r/7',
    ])
  })

  it('answers a ping, and 404 for a room it is not in', async () => {
    const kit = await testKit(buildGithub({ env: { GITHUB_WEBHOOK_SECRET: 'gh', XMPP_ROOMS: ROOM } }), { rooms: { [ROOM]: {} } })
    expect(await (await kit.fetch(`/github/${ROOM}`, signedPost('gh', {}, { 'x-github-event': 'ping' }))).response.text()).toBe('pong')
    expect((await kit.fetch('/github/other@conference.example.org', signedPost('gh', {}, { 'x-github-event': 'ping' }))).response.status).toBe(404)
  })
})

describe('the todo example', () => {
  it('keeps a list per sender, numbered in the order added', async () => {
    const kit = await testKit(buildTodo)
    const alice = kit.contact('alice@example.org')
    const bob = kit.contact('bob@example.org')
    expect(await alice.say('todo list')).toEqual(['The list is empty.'])
    expect(await alice.say('todo add milk')).toEqual(['Added #1: milk'])
    await alice.say('todo add  eggs and bread')
    await bob.say('todo add call mum')
    expect(await alice.say('todo list')).toEqual(['1. milk\n2. eggs and bread'])
    expect(await bob.say('todo list')).toEqual(['1. call mum'])
    expect(await alice.say('todo done 1')).toEqual(['Done: milk'])
    expect(await alice.say('todo done 5')).toEqual(['Give a number from 1 to 1.'])
    expect(await alice.say('todo list')).toEqual(['1. eggs and bread'])
    const [help] = await alice.say('help todo')
    expect(help).toContain('todo add <text...>')
  })

  it('keeps the lists and a pending reminder across a restart, and reminds once', async () => {
    vi.useFakeTimers()
    const kit = await testKit(buildTodo)
    const alice = kit.contact('alice@example.org')
    await alice.say('todo add milk')
    expect(await alice.say('remind 60 stretch')).toEqual(['OK, in 60 s.'])
    await vi.advanceTimersByTimeAsync(30_000)
    await kit.restart()
    expect(await alice.say('todo list')).toEqual(['1. milk'])
    await vi.advanceTimersByTimeAsync(31_000)
    await kit.settle()
    expect(alice.received.filter((text) => text === '⏰ stretch')).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(300_000)
    expect(alice.received.filter((text) => text === '⏰ stretch')).toHaveLength(1)
  })

  it('sends a reminder that fell due while no process ran at the next start', async () => {
    vi.useFakeTimers()
    const kit = await testKit(buildTodo)
    const alice = kit.contact('alice@example.org')
    await alice.say('remind 10 stretch')
    const bot = buildTodo()
    // Down for a minute: the reminder falls due meanwhile.
    await vi.advanceTimersByTimeAsync(0)
    vi.setSystemTime(Date.now() + 60_000)
    await kit.restart(bot)
    await vi.advanceTimersByTimeAsync(0)
    await kit.settle()
    expect(alice.received.at(-1)).toBe('⏰ stretch')
  })

  it('uses the room’s list for addressed commands in a room', async () => {
    const kit = await testKit(() => buildTodo({ env: { XMPP_ROOMS: 'team@conference.example.org/todo' } }), {
      rooms: { 'team@conference.example.org': { occupants: ['carol', 'dave'] } },
    })
    const room = await kit.room('team@conference.example.org')
    await room.say('carol', 'todo: todo add book the room')
    expect(await room.say('dave', 'todo: todo list')).toEqual(['1. book the room'])
    expect(await kit.contact('carol@example.org').say('todo list')).toEqual(['The list is empty.'])
  })
})
