import { type Bot, createBot, xml } from 'natter'
import { type TestChat, testKit } from 'natter/testing'
import { describe, expect, it, vi } from 'vitest'
import { Commands, HINT_INTERVAL_MS, parseSpec } from '../../src/dispatch/commands.js'
import { ALICE, BOT, message, roomPresence, testBot } from '../support/unit.js'

const ROOM = 'lobby@conference.example.org'
const BOSS = 'boss@example.org/desk'

/** Joins ROOM as `nick` by answering the join with the room's self-presence. */
async function joinRoom(bot: Bot, chat: TestChat, nick = 'natter'): Promise<void> {
  const joined = bot.rooms.join(ROOM, { nick })
  await chat.receive(roomPresence(`${ROOM}/${nick}`, { self: true, jid: BOT }))
  await joined
}

/** Says `body` in ROOM as `nick` and returns the bodies the bot sent back. */
async function sayInRoom(chat: TestChat, nick: string, body: string): Promise<string[]> {
  return chat.say(`${ROOM}/${nick}`, body, 'groupchat')
}

describe('parseSpec', () => {
  it('reads the name and the arguments', () => {
    expect(parseSpec('Remind <minutes> [when] [text...]')).toEqual({
      name: 'remind',
      params: [
        { name: 'minutes', optional: false, rest: false },
        { name: 'when', optional: true, rest: false },
        { name: 'text', optional: true, rest: true },
      ],
    })
  })

  it.each([
    ['', /name must be one word/],
    ['<text>', /name must be one word/],
    ['echo <a> text', /"text" is not <arg>/],
    ['!todo', /"!" is a prefix, not part of the name: register "todo" and create the bot with commandPrefix: '!' to require it/],
    ['!todo add <text...>', /register "todo add <text...>"/],
    ['todo a/b', /name must be one word, or words for a subcommand/],
    ['echo <text', /"<text" is not <arg>/],
    ['echo <text]', /"<text]" is not <arg>/],
    ['echo <te xt>', /is not <arg>/],
    ['echo <text...> <n>', /only the last argument/],
    ['echo [a] <b>', /required argument cannot follow an optional one/],
    ['echo <a> <a>', /"a" appears twice/],
  ])('refuses %j', (spec, error) => {
    expect(() => parseSpec(spec)).toThrow(error)
  })
})

describe('subcommands', () => {
  function todoBot() {
    const { bot, chat } = testBot()
    bot.command('todo add <text...>', 'Adds an item', (cmd) => cmd.reply(`added ${cmd.args.text}`))
    bot.command('todo list', 'Lists the items', (cmd) => cmd.reply('the list'))
    bot.command('todo done <n>', 'Removes item n', (cmd) => cmd.reply(`done ${cmd.args.n}`))
    bot.command('echo <text...>', 'Echoes', (cmd) => cmd.reply(cmd.args.text))
    return chat
  }

  it('reads the name from the words before the arguments', () => {
    expect(parseSpec('Todo Add <text...>')).toEqual({ name: 'todo add', params: [{ name: 'text', optional: false, rest: true }] })
  })

  it('runs the subcommand the line names, with its arguments', async () => {
    const chat = todoBot()
    expect(await chat.say(ALICE, 'todo add  buy milk')).toEqual(['added buy milk'])
    expect(await chat.say(ALICE, 'TODO LIST')).toEqual(['the list'])
    expect(await chat.say(ALICE, 'todo done 2')).toEqual(['done 2'])
    expect(await chat.say(ALICE, 'todo done')).toEqual(['Usage: todo done <n>'])
  })

  it('lists a command’s subcommands for "help todo", for the bare group, and for an unknown one', async () => {
    const chat = todoBot()
    const [help] = await chat.say(ALICE, 'help todo')
    expect(help?.split('\n')).toEqual([
      'Commands of todo:',
      '  todo add <text...>  Adds an item',
      '  todo done <n>       Removes item n',
      '  todo list           Lists the items',
    ])
    expect(await chat.say(ALICE, 'todo')).toEqual([help])
    expect(await chat.say(ALICE, 'todo frobnicate')).toEqual([help])
    expect(await chat.say(ALICE, 'help nothing')).toEqual(['I don\'t know "nothing". Send "help" for the list of commands.'])
    const [all] = await chat.say(ALICE, 'help')
    expect(all).toContain('todo add <text...>')
    expect(all).toContain('echo <text...>')
  })
})

describe('Commands', () => {
  const commands = new Commands()
  commands.add('add <a> <b>', { description: 'Adds' }, () => {})
  commands.add('roll [sides]', { description: 'Rolls' }, () => {})
  commands.add('echo <text...>', { description: 'Echoes' }, () => {})
  commands.add('note [text...]', { description: 'Notes' }, () => {})

  it.each([
    ['add 1 2', { a: '1', b: '2' }],
    ['ADD 1 2', { a: '1', b: '2' }],
    ['  add   1   2  ', { a: '1', b: '2' }],
    ['roll', { sides: undefined }],
    ['roll 20', { sides: '20' }],
    ['echo  hello   big world ', { text: 'hello   big world' }],
    ['note', { text: undefined }],
    ['note buy milk', { text: 'buy milk' }],
  ])('reads %j', (line, args) => {
    const parsed = commands.parse(line)
    expect(parsed.kind).toBe('ok')
    expect(parsed.kind === 'ok' && parsed.args).toEqual(args)
  })

  it.each(['add', 'add 1', 'add 1 2 3', 'roll 6 7', 'echo', 'echo   '])('asks for the usage on %j', (line) => {
    expect(commands.parse(line).kind).toBe('usage')
  })

  it('reports an unknown command by name', () => {
    expect(commands.parse('Frobnicate now')).toEqual({ kind: 'unknown', name: 'frobnicate', rest: 'now' })
  })

  it('refuses the same name twice, in any case', () => {
    expect(() => commands.add('ECHO <x>', { description: 'again' }, () => {})).toThrow(/registered twice/)
  })
})

describe('bot.command', () => {
  it('refuses a malformed spec at registration', () => {
    const { bot } = testBot()
    expect(() => bot.command('echo <text', 'Echoes', () => {})).toThrow(TypeError)
  })

  it('hands the typed arguments and the command name to the handler', async () => {
    const { bot, chat } = testBot()
    bot.command('remind <minutes> <text...>', 'Reminds you', (cmd) => cmd.reply(`${cmd.command}: ${cmd.args.text} in ${cmd.args.minutes} min`))
    expect(await chat.say(ALICE, 'remind 5 stretch your legs')).toEqual(['remind: stretch your legs in 5 min'])
  })

  it('leaves a missing optional argument undefined', async () => {
    const { bot, chat } = testBot()
    bot.command('roll [sides]', 'Rolls a die', (cmd) => cmd.reply(`sides: ${cmd.args.sides ?? 'default'}`))
    expect(await chat.say(ALICE, 'roll')).toEqual(['sides: default'])
    expect(await chat.say(ALICE, 'roll 20')).toEqual(['sides: 20'])
  })

  it('answers with the usage when arguments are missing or too many', async () => {
    const { bot, chat } = testBot()
    bot.command('add <a> <b>', 'Adds two numbers', (cmd) => cmd.reply(String(Number(cmd.args.a) + Number(cmd.args.b))))
    expect(await chat.say(ALICE, 'add 1')).toEqual(['Usage: add <a> <b>'])
    expect(await chat.say(ALICE, 'add 1 2 3')).toEqual(['Usage: add <a> <b>'])
    expect(await chat.say(ALICE, 'add 1 2')).toEqual(['3'])
  })

  it('answers an unknown command with a hint', async () => {
    const { bot, chat } = testBot()
    bot.command('time', 'Tells the time', (cmd) => cmd.reply('now'))
    expect(await chat.say(ALICE, 'tiem please')).toEqual(['I don\'t know "tiem". Send "help" for the list of commands.'])
  })

  it('hints a sender at most once every few minutes, so two bots cannot hint each other forever', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const { bot, chat } = testBot()
      bot.command('time', 'Tells the time', (cmd) => cmd.reply('now'))
      expect(await chat.say(ALICE, 'frobnicate')).toHaveLength(1)
      expect(await chat.say('alice@example.org/other', 'I don\'t know "frobnicate"')).toEqual([])
      expect(await chat.say(ALICE, 'time')).toEqual(['now'])
      expect(await chat.say(BOSS, 'frobnicate')).toHaveLength(1)
      vi.advanceTimersByTime(HINT_INTERVAL_MS)
      expect(await chat.say(ALICE, 'frobnicate')).toHaveLength(1)
    } finally {
      vi.useRealTimers()
    }
  })

  it('hints each occupant of a room on its own', async () => {
    const { bot, chat } = testBot()
    bot.command('time', 'Tells the time', (cmd) => cmd.reply('now'))
    await joinRoom(bot, chat)
    expect(await sayInRoom(chat, 'carol', 'natter: frobnicate')).toHaveLength(1)
    expect(await sayInRoom(chat, 'carol', 'natter: frobnicate')).toEqual([])
    expect(await sayInRoom(chat, 'dave', 'natter: frobnicate')).toHaveLength(1)
  })

  it('shortens a long unknown name in the hint', async () => {
    const { bot, chat } = testBot()
    bot.command('time', 'Tells the time', (cmd) => cmd.reply('now'))
    const [reply] = await chat.say(ALICE, 'x'.repeat(500))
    expect(reply).toContain(`"${'x'.repeat(40)}…"`)
    expect(reply?.length).toBeLessThan(120)
  })

  it('answers an empty message with the hint alone', async () => {
    const { bot, chat } = testBot()
    bot.command('time', 'Tells the time', (cmd) => cmd.reply('now'))
    expect(await chat.say(ALICE, '   ')).toEqual(['Send "help" for the list of commands.'])
  })

  it('generates help: every command with its usage and description, sorted', async () => {
    const { bot, chat } = testBot()
    bot.command('time', 'Tells the time', () => {})
    bot.command('echo <text...>', 'Repeats the text', () => {})
    const [help] = await chat.say(ALICE, 'help')
    expect(help?.split('\n')).toEqual([
      'Commands:',
      '  echo <text...>  Repeats the text',
      '  help            Lists the commands',
      '  time            Tells the time',
    ])
  })

  it('lets the bot define its own help', async () => {
    const { bot, chat } = testBot()
    bot.command('help', 'Custom help', (cmd) => cmd.reply('see the wiki'))
    expect(await chat.say(ALICE, 'HELP')).toEqual(['see the wiki'])
  })

  it("keeps the list of commands in the bot's own help only when that help asks for it", async () => {
    const { bot, chat } = testBot({ admins: ['boss@example.org'] })
    bot.command('help [topic]', 'Lists the commands', (cmd) => cmd.reply(`Team bot, see the wiki.\n${cmd.helpText(cmd.args.topic)}`))
    bot.command('time', 'Tells the time', (cmd) => cmd.reply('now'))
    bot.command('restart', { description: 'Restarts', admin: true }, (cmd) => cmd.reply('restarting'))
    const [reply] = await chat.say(ALICE, 'help')
    expect(reply?.split('\n')).toEqual(['Team bot, see the wiki.', 'Commands:', '  help [topic]  Lists the commands', '  time          Tells the time'])
    const [forBoss] = await chat.say('boss@example.org/desk', 'help')
    expect(forBoss).toContain('restart')
  })

  it('answers in the type of the message, e.g. normal', async () => {
    const { bot, chat } = testBot()
    bot.command('time', 'Tells the time', (cmd) => cmd.reply('now'))
    const [reply] = await chat.receive(message({ type: 'normal' }, 'time'))
    expect(reply?.attrs.type).toBe('normal')
  })

  it('leaves headlines alone', async () => {
    const { bot, chat } = testBot()
    bot.command('time', 'Tells the time', (cmd) => cmd.reply('now'))
    expect(await chat.say(ALICE, 'time', 'headline')).toEqual([])
  })

  it('see chat messages after message handlers registered before them', async () => {
    const { bot, chat } = testBot()
    bot.message({ type: 'chat', body: /^hello/ }, (msg) => msg.reply('hi!'))
    bot.command('time', 'Tells the time', (cmd) => cmd.reply('now'))
    expect(await chat.say(ALICE, 'hello bot')).toEqual(['hi!'])
    expect(await chat.say(ALICE, 'time')).toEqual(['now'])
  })

  it('let a handler pass the message on with next()', async () => {
    const { bot, chat } = testBot()
    bot.command('maybe', 'Passes', (_cmd, next) => next())
    bot.message({ body: true }, (msg) => msg.reply('fallback'))
    expect(await chat.say(ALICE, 'maybe')).toEqual(['fallback'])
  })

  it('report a handler error to the catch hook', async () => {
    const { bot, chat } = testBot()
    const caught: unknown[] = []
    bot.catch((error) => {
      caught.push(error)
    })
    bot.command('fail', 'Fails', () => {
      throw new Error('command bug')
    })
    expect(await chat.say(ALICE, 'fail')).toEqual([expect.stringMatching(/^Sorry, something went wrong \(ref [0-9a-f]{6}\)\.$/)])
    expect(caught).toHaveLength(1)
  })
})

describe('admin commands', () => {
  function adminBot() {
    const { bot, chat } = testBot({ admins: ['boss@example.org'] })
    bot.command('kick <nick>', { description: 'Removes someone', admin: true }, (cmd) => cmd.reply(`kicked ${cmd.args.nick}`))
    bot.command('time', 'Tells the time', (cmd) => cmd.reply('now'))
    return { bot, chat }
  }

  it('run for an admin, from any resource', async () => {
    const { chat } = adminBot()
    expect(await chat.say(BOSS, 'kick mallory')).toEqual(['kicked mallory'])
    expect(await chat.say('boss@example.org/phone', 'kick eve')).toEqual(['kicked eve'])
  })

  it('are refused to anyone else, usage included', async () => {
    const { chat } = adminBot()
    expect(await chat.say(ALICE, 'kick mallory')).toEqual(['Sorry, only admins may use kick.'])
    expect(await chat.say(ALICE, 'kick')).toEqual(['Sorry, only admins may use kick.'])
  })

  it('show their usage to an admin', async () => {
    const { chat } = adminBot()
    expect(await chat.say(BOSS, 'kick')).toEqual(['Usage: kick <nick>'])
  })

  it('are hidden from help for others and marked for admins', async () => {
    const { chat } = adminBot()
    const [forAlice] = await chat.say(ALICE, 'help')
    const [forBoss] = await chat.say(BOSS, 'help')
    expect(forAlice).not.toContain('kick')
    expect(forAlice).toContain('time')
    expect(forBoss).toContain('kick <nick>  Removes someone (admin)')
  })
})

describe('command prefix', () => {
  it('is stripped in 1:1 chat, where it is optional', async () => {
    const { bot, chat } = testBot({ commandPrefix: '!' })
    bot.command('echo <text...>', 'Repeats', (cmd) => cmd.reply(cmd.args.text))
    expect(await chat.say(ALICE, '!echo hi')).toEqual(['hi'])
    expect(await chat.say(ALICE, 'echo hi')).toEqual(['hi'])
  })

  it('can be longer than one character', async () => {
    const { bot, chat } = testBot({ commandPrefix: 'bot ' })
    bot.command('echo <text...>', 'Repeats', (cmd) => cmd.reply(cmd.args.text))
    expect(await chat.say(ALICE, 'bot echo hi')).toEqual(['hi'])
  })
})

describe('commands in a room', () => {
  async function roomBot(options: Parameters<typeof testBot>[0] = {}) {
    const { bot, chat } = testBot(options)
    bot.command('echo <text...>', 'Repeats', (cmd) => cmd.reply(cmd.args.text))
    bot.command('kick <nick>', { description: 'Removes someone', admin: true }, (cmd) => cmd.reply(`kicked ${cmd.args.nick}`))
    await joinRoom(bot, chat)
    return { bot, chat }
  }

  it('are answered when the bot is addressed by nick, in the room', async () => {
    const { chat } = await roomBot()
    expect(await sayInRoom(chat, 'carol', 'natter: echo hi')).toEqual(['hi'])
    expect(await sayInRoom(chat, 'carol', 'natter, echo hi')).toEqual(['hi'])
    expect(await sayInRoom(chat, 'carol', 'Natter:echo hi')).toEqual(['hi'])
    const [reply] = await chat.receive(message({ from: `${ROOM}/carol`, type: 'groupchat' }, 'natter: echo hi'))
    expect(reply?.attrs).toMatchObject({ to: ROOM, type: 'groupchat' })
  })

  it('list the commands when asked for help by nick', async () => {
    const { chat } = await roomBot()
    const [help] = await sayInRoom(chat, 'carol', 'natter: help')
    expect(help).toContain('echo <text...>')
  })

  it('are ignored when the bot is not addressed', async () => {
    const { chat } = await roomBot()
    expect(await sayInRoom(chat, 'carol', 'echo hi')).toEqual([])
    expect(await sayInRoom(chat, 'carol', 'help')).toEqual([])
    expect(await sayInRoom(chat, 'carol', 'natterbot: echo hi')).toEqual([])
    expect(await sayInRoom(chat, 'carol', 'I think natter: echo hi')).toEqual([])
  })

  it('pass unaddressed room messages on to later handlers', async () => {
    const { bot, chat } = await roomBot()
    bot.message({ type: 'groupchat', body: /^hello/ }, (msg) => msg.reply(`hello ${msg.nick}`))
    expect(await sayInRoom(chat, 'carol', 'hello all')).toEqual(['hello carol'])
  })

  it('are answered with the prefix, when one is set', async () => {
    const { chat } = await roomBot({ commandPrefix: '!' })
    expect(await sayInRoom(chat, 'carol', '!echo hi')).toEqual(['hi'])
    expect(await sayInRoom(chat, 'carol', 'natter: echo hi')).toEqual(['hi'])
  })

  it("ignore history replayed on join and the bot's own messages", async () => {
    const { chat } = await roomBot()
    const delay = xml('delay', { xmlns: 'urn:xmpp:delay', stamp: '2024-05-01T10:00:00Z' })
    expect(await chat.receive(message({ from: `${ROOM}/carol`, type: 'groupchat' }, 'natter: echo old', delay))).toEqual([])
    expect(await chat.receive(message({ from: `${ROOM}/natter`, type: 'groupchat' }, 'natter: echo loop'))).toEqual([])
  })

  it("with admin rights go by the occupant's real JID", async () => {
    const { chat } = await roomBot({ admins: ['boss@example.org'] })
    await chat.receive(roomPresence(`${ROOM}/boss`, { jid: BOSS }))
    await chat.receive(roomPresence(`${ROOM}/mallory`, { jid: 'mallory@example.net/x' }))
    expect(await sayInRoom(chat, 'boss', 'natter: kick mallory')).toEqual(['kicked mallory'])
    expect(await sayInRoom(chat, 'mallory', 'natter: kick boss')).toEqual(['Sorry, only admins may use kick.'])
  })

  it('are refused admin rights when the room hides real JIDs', async () => {
    const { chat } = await roomBot({ admins: ['boss@example.org'] })
    await chat.receive(roomPresence(`${ROOM}/boss`))
    expect(await sayInRoom(chat, 'boss', 'natter: kick mallory')).toEqual(['Sorry, only admins may use kick.'])
  })

  it('need the prefix in a room the bot has not joined', async () => {
    const { bot, chat } = testBot({ commandPrefix: '!' })
    bot.command('echo <text...>', 'Repeats', (cmd) => cmd.reply(cmd.args.text))
    expect(await chat.say('other@conference.example.org/carol', 'natter: echo hi', 'groupchat')).toEqual([])
    expect(await chat.say('other@conference.example.org/carol', '!echo hi', 'groupchat')).toEqual(['hi'])
  })
})

describe('commands asked for explicitly', () => {
  const TEAM = 'team@conference.example.org'

  it('reach the command in a room whatever was registered before them, and leave the rest to those handlers', async () => {
    const bot = createBot()
    bot.message({ type: 'groupchat', mentioned: true }, (msg) => msg.reply(`${msg.nick}: you called?`))
    bot.command('weather <city>', 'Tells the weather', (cmd) => cmd.reply(`sunny in ${cmd.args.city}`))
    const kit = await testKit(bot)
    const room = await kit.room(TEAM, { occupants: ['carol'] })
    expect(await room.say('carol', 'bot: weather paris')).toEqual(['sunny in paris'])
    expect(await room.say('carol', 'bot, weather')).toEqual(['Usage: weather <city>'])
    expect(await room.say('carol', 'bot: how are you?')).toEqual(['carol: you called?'])
    expect(await room.say('carol', 'is bot around?')).toEqual(['carol: you called?'])
  })

  it('with the prefix reach the command in a chat whatever was registered before, plain text goes in order', async () => {
    const bot = createBot({ commandPrefix: '!' })
    bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`free text: ${msg.body}`))
    bot.command('echo <text...>', 'Repeats', (cmd) => cmd.reply(cmd.args.text))
    const kit = await testKit(bot)
    const alice = kit.contact('alice@example.org')
    expect(await alice.say('!echo hi')).toEqual(['hi'])
    expect(await alice.say('echo hi')).toEqual(['free text: echo hi'])
    expect(await alice.say('!frobnicate')).toEqual(['free text: !frobnicate'])
  })

  it('run once when the command passes the message on', async () => {
    const bot = createBot()
    const calls: string[] = []
    bot.message({ type: 'groupchat', mentioned: true }, async (_msg, next) => {
      calls.push('mention')
      await next()
    })
    bot.command('note <text...>', 'Takes a note', async (cmd, next) => {
      calls.push(`note ${cmd.args.text}`)
      await next()
    })
    bot.message({ type: 'groupchat' }, () => {
      calls.push('later')
    })
    const kit = await testKit(bot)
    const room = await kit.room(TEAM, { occupants: ['carol'] })
    await room.say('carol', 'bot: note milk')
    expect(calls).toEqual(['note milk', 'mention', 'later'])
  })

  it('help in a room says how to address the bot there', async () => {
    const bot = createBot({ commandPrefix: '!' })
    bot.command('echo <text...>', 'Repeats', (cmd) => cmd.reply(cmd.args.text))
    const kit = await testKit(bot)
    const room = await kit.room(TEAM, { occupants: ['carol'], bot: { nick: 'helper' } })
    const [help] = await room.say('carol', 'helper: help')
    expect(help?.split('\n').at(-1)).toBe('In this room, address me as "helper: <command>" or "!<command>", e.g. "helper: help".')
    const [inChat] = await kit.contact('alice@example.org').say('help')
    expect(inChat).not.toContain('In this room')
  })
})
