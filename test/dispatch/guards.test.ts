import { xml } from 'natter'
import { describe, expect, it, vi } from 'vitest'
import { compileGuards } from '../../src/dispatch/guards.js'
import { ALICE, message, testBot } from '../support/unit.js'

/** Feeds the stanza and says whether the handler saw it. */
async function handled(register: (bot: ReturnType<typeof testBot>['bot'], seen: () => void) => void, stanza = message({}, 'ping')): Promise<boolean> {
  const { bot, chat } = testBot()
  let seen = false
  register(bot, () => (seen = true))
  await chat.receive(stanza)
  return seen
}

describe('a plain value', () => {
  it('matches an equal field only', async () => {
    expect(await handled((bot, seen) => bot.message({ body: 'ping' }, seen), message({}, 'ping'))).toBe(true)
    expect(await handled((bot, seen) => bot.message({ body: 'ping' }, seen), message({}, 'ping!'))).toBe(false)
    expect(await handled((bot, seen) => bot.message({ body: 'ping' }, seen), message({}, 'Ping'))).toBe(false)
  })

  it('does not match an absent field', async () => {
    expect(await handled((bot, seen) => bot.message({ subject: 'news' }, seen), message({}, 'news'))).toBe(false)
  })

  it('compares numbers, such as a presence priority', async () => {
    const presence = xml('presence', { from: ALICE }, xml('priority', {}, '5'))
    expect(await handled((bot, seen) => bot.presence({ priority: 5 }, seen), presence)).toBe(true)
    expect(await handled((bot, seen) => bot.presence({ priority: 4 }, seen), presence)).toBe(false)
  })
})

describe('a RegExp', () => {
  it('matches the field and hands its captures to the handler as ctx.match', async () => {
    const { bot, chat } = testBot()
    let match: RegExpMatchArray | undefined
    bot.message({ body: /^roll (\d+)d(\d+)$/ }, (msg) => {
      match = msg.match
    })
    await chat.receive(message({}, 'roll 2d6'))
    expect(match?.[0]).toBe('roll 2d6')
    expect(match?.slice(1)).toEqual(['2', '6'])
  })

  it('does not match a field that fails it, or is absent', async () => {
    expect(await handled((bot, seen) => bot.message({ body: /^roll/ }, seen), message({}, 'rock'))).toBe(false)
    expect(await handled((bot, seen) => bot.message({ subject: /./ }, seen), message({}, 'roll'))).toBe(false)
  })

  it('matches every time even with the global flag, whose lastIndex would otherwise carry over', async () => {
    const { bot, chat } = testBot()
    let count = 0
    bot.message({ body: /ping/g }, () => {
      count += 1
    })
    await chat.receive(message({}, 'ping'))
    await chat.receive(message({}, 'ping'))
    expect(count).toBe(2)
  })

  it('leaves ctx.match undefined for guards without one', async () => {
    const { bot, chat } = testBot()
    let match: unknown = 'unset'
    bot.message({ body: 'ping' }, (msg) => {
      match = msg.match
    })
    await chat.receive(message({}, 'ping'))
    expect(match).toBeUndefined()
  })
})

describe('an array', () => {
  it('matches any of its patterns', async () => {
    const guard = { type: ['chat', 'normal'] } as const
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ type: 'chat' }, 'x'))).toBe(true)
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ type: 'normal' }, 'x'))).toBe(true)
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ type: 'headline' }, 'x'))).toBe(false)
  })

  it('can mix values and RegExps, and the RegExp that matched reaches ctx.match', async () => {
    const { bot, chat } = testBot()
    const matches: unknown[] = []
    bot.message({ body: ['hi', /^hello (\w+)/] }, (msg) => {
      matches.push(msg.match?.[1])
    })
    await chat.receive(message({}, 'hi'))
    await chat.receive(message({}, 'hello world'))
    await chat.receive(message({}, 'hey'))
    expect(matches).toEqual([undefined, 'world'])
  })
})

describe('a predicate', () => {
  it('decides the match from the field value', async () => {
    const long = (body: string) => body.length > 3
    expect(await handled((bot, seen) => bot.message({ body: long }, seen), message({}, 'long one'))).toBe(true)
    expect(await handled((bot, seen) => bot.message({ body: long }, seen), message({}, 'no'))).toBe(false)
  })

  it('is not called when the field is absent, so it never sees undefined', async () => {
    const predicate = vi.fn((subject: string) => subject.startsWith('x'))
    expect(await handled((bot, seen) => bot.message({ subject: predicate }, seen), message({}, 'no subject'))).toBe(false)
    expect(predicate).not.toHaveBeenCalled()
  })

  it('can be the whole guard, over the context', async () => {
    expect(await handled((bot, seen) => bot.message((msg) => msg.body === 'ping' && msg.type === 'chat', seen))).toBe(true)
    expect(await handled((bot, seen) => bot.message((msg) => msg.type === 'groupchat', seen))).toBe(false)
  })
})

describe('true', () => {
  it('requires the field to be present', async () => {
    expect(await handled((bot, seen) => bot.message({ body: true }, seen), message({}, 'x'))).toBe(true)
    expect(await handled((bot, seen) => bot.message({ body: true }, seen), message({}, undefined))).toBe(false)
  })

  it('counts an empty body as present', async () => {
    expect(await handled((bot, seen) => bot.message({ body: true }, seen), message({}, ''))).toBe(true)
  })

  it('requires a flag to be set', async () => {
    const { bot, chat } = testBot()
    const seen = vi.fn()
    bot.message({ mentioned: true }, seen)
    // Not a room the bot is in: never mentioned.
    await chat.receive(message({ from: 'room@conference.example.org/carol', type: 'groupchat' }, 'bot: hi'))
    expect(seen).not.toHaveBeenCalled()
  })
})

describe('several fields', () => {
  it('must all match (AND)', async () => {
    const guard = { type: 'chat', body: 'ping' } as const
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ type: 'chat' }, 'ping'))).toBe(true)
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ type: 'normal' }, 'ping'))).toBe(false)
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ type: 'chat' }, 'pong'))).toBe(false)
  })

  it('skip fields whose pattern is undefined', async () => {
    expect(await handled((bot, seen) => bot.message({ body: 'ping', subject: undefined }, seen))).toBe(true)
    expect(await handled((bot, seen) => bot.message({ body: undefined, type: undefined, from: undefined }, seen))).toBe(true)
  })
})

describe('a list of guards', () => {
  it('matches when any guard matches (OR)', async () => {
    const guards = [{ body: 'a' }, { subject: 'b' }] as const
    expect(await handled((bot, seen) => bot.message(guards, seen), message({}, 'a'))).toBe(true)
    expect(await handled((bot, seen) => bot.message(guards, seen), message({}, 'x', xml('subject', {}, 'b')))).toBe(true)
    expect(await handled((bot, seen) => bot.message(guards, seen), message({}, 'x', xml('subject', {}, 'c')))).toBe(false)
  })

  it('matches when a guard with fixed values or a loose one matches', async () => {
    const guards = [{ type: 'headline' }, { body: /^b/ }, { from: 'carol@example.org' }] as const
    expect(await handled((bot, seen) => bot.message(guards, seen), message({ type: 'headline' }, 'x'))).toBe(true)
    expect(await handled((bot, seen) => bot.message(guards, seen), message({}, 'bee'))).toBe(true)
    expect(await handled((bot, seen) => bot.message(guards, seen), message({ from: 'carol@example.org/x' }, 'x'))).toBe(true)
    expect(await handled((bot, seen) => bot.message(guards, seen), message({}, 'x'))).toBe(false)
  })

  it('hands over the match of the guard that matched', async () => {
    const { bot, chat } = testBot()
    let match: string | undefined
    bot.message([{ body: /^a(\d)/ }, { body: /^b(\d)/ }], (msg) => {
      match = msg.match?.[1]
    })
    await chat.receive(message({}, 'b7'))
    expect(match).toBe('7')
  })

  it('must not be empty', () => {
    const { bot } = testBot()
    expect(() => bot.message([], () => {})).toThrow(/empty list of guards/)
  })
})

describe('from and to', () => {
  it('match every resource of a bare JID, in any case', async () => {
    const guard = { from: 'alice@example.org' }
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ from: 'alice@example.org/phone' }, 'x'))).toBe(true)
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ from: 'Alice@Example.ORG/laptop' }, 'x'))).toBe(true)
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ from: 'alice@example.org' }, 'x'))).toBe(true)
  })

  it('do not match another JID that merely starts the same', async () => {
    const guard = { from: 'alice@example.org' }
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ from: 'alice@example.org.evil.net/x' }, 'x'))).toBe(false)
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ from: 'malice@example.org/x' }, 'x'))).toBe(false)
  })

  it('match only that resource when the guard names one', async () => {
    const guard = { from: 'alice@example.org/phone' }
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ from: 'alice@example.org/phone' }, 'x'))).toBe(true)
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ from: 'alice@example.org/laptop' }, 'x'))).toBe(false)
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ from: 'alice@example.org' }, 'x'))).toBe(false)
  })

  it('take a list mixing bare and full JIDs', async () => {
    const guard = { from: ['alice@example.org/phone', 'bob@example.org'] }
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ from: 'alice@example.org/phone' }, 'x'))).toBe(true)
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ from: 'alice@example.org/laptop' }, 'x'))).toBe(false)
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ from: 'Bob@example.org/x' }, 'x'))).toBe(true)
  })

  it('take a list of JIDs', async () => {
    const guard = { from: ['alice@example.org', 'bob@example.org'] }
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ from: 'bob@example.org/x' }, 'x'))).toBe(true)
    expect(await handled((bot, seen) => bot.message(guard, seen), message({ from: 'carol@example.org/x' }, 'x'))).toBe(false)
  })

  it('apply to `to` as well', async () => {
    expect(await handled((bot, seen) => bot.message({ to: 'bot@example.org' }, seen), message({ to: 'bot@example.org/natter' }, 'x'))).toBe(true)
    expect(await handled((bot, seen) => bot.message({ to: 'other@example.org' }, seen), message({ to: 'bot@example.org/natter' }, 'x'))).toBe(false)
  })

  it('refuse a value that is not a JID, at registration', () => {
    const { bot } = testBot()
    expect(() => bot.message({ from: 'not a jid' }, () => {})).toThrow(TypeError)
  })
})

describe('registration', () => {
  it('refuses a field the stanza kind does not have, naming it', () => {
    const { bot } = testBot()
    // @ts-expect-error presence has no body
    expect(() => bot.presence({ body: 'x' }, () => {})).toThrow(/presence: no field "body"/)
    // @ts-expect-error a typo
    expect(() => bot.message({ bdoy: 'x' }, () => {})).toThrow(/no field "bdoy"/)
  })

  it('refuses an unknown field in any guard of a list', () => {
    const { bot } = testBot()
    // @ts-expect-error subscriptions have no show
    expect(() => bot.subscription([{ type: 'subscribe' }, { show: 'away' }], () => {})).toThrow(/no field "show"/)
  })

  it('refuses a guard that is neither an object nor a function', () => {
    const { bot } = testBot()
    // Plain JavaScript callers get no type check, so the runtime must refuse it.
    expect(() => bot.message('chat' as never, () => {})).toThrow(TypeError)
    expect(() => bot.message(null as never, () => {})).toThrow(TypeError)
  })

  it('refuses a handler that is not a function', () => {
    const { bot } = testBot()
    // @ts-expect-error not a handler
    expect(() => bot.message({ body: true }, 'reply')).toThrow(/handler must be a function/)
  })

  it('happens before any stanza: a bad guard never reaches dispatch', async () => {
    const { bot, chat } = testBot()
    bot.message({ body: 'ok' }, (msg) => msg.reply('fine'))
    // @ts-expect-error iq has no body
    expect(() => bot.iq({ body: 'x' }, () => {})).toThrow(TypeError)
    expect(await chat.say(ALICE, 'ok')).toEqual(['fine'])
  })
})

describe('list and room fields', () => {
  it('matches a list field when one of its items matches', () => {
    const matcher = compileGuards<{ groups: string[] }>({ name: 'roster', fields: ['groups'], jidFields: [] }, { groups: 'Team' })
    expect(matcher({ groups: ['Friends', 'Team'] })).toBe(true)
    expect(matcher({ groups: ['Friends'] })).toBe(false)
    const byRegExp = compileGuards<{ groups: string[] }>({ name: 'roster', fields: ['groups'], jidFields: [] }, { groups: /^Te/ })
    expect((byRegExp({ groups: ['Friends', 'Team'] }) as RegExpMatchArray)[0]).toBe('Te')
  })

  it('compares rooms as JIDs, without regard to case', () => {
    const matcher = compileGuards<{ room: string }>({ name: 'message', fields: ['room'], jidFields: ['room'] }, { room: 'Lobby@Conference.example.org' })
    expect(matcher({ room: 'lobby@conference.example.org' })).toBe(true)
    expect(matcher({ room: 'other@conference.example.org' })).toBe(false)
  })
})
