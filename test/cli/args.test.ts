import { UsageError } from 'natter'
import { describe, expect, it } from 'vitest'
import { parseCommand } from '../../src/cli/args.js'

const DEFAULT_SESSION = { debug: false, timeout: 15_000 }

describe('parseCommand', () => {
  it.each([[['--help']], [['-h']], [['help']], [['say', '--help']]])('%j asks for help', (argv) => {
    expect(parseCommand(argv)).toEqual({ name: 'help' })
  })

  it.each([[['--version']], [['-v']]])('%j asks for the version', (argv) => {
    expect(parseCommand(argv)).toEqual({ name: 'version' })
  })

  it('reads new with its directory', () => {
    expect(parseCommand(['new', 'mybot'])).toEqual({ name: 'new', dir: 'mybot' })
  })

  it('reads check with the session flags', () => {
    expect(parseCommand(['check'])).toEqual({ name: 'check', session: DEFAULT_SESSION })
    expect(parseCommand(['check', '-D', '--timeout', '2.5'])).toEqual({ name: 'check', session: { debug: true, timeout: 2_500 } })
  })

  it('reads ping with or without a JID', () => {
    expect(parseCommand(['ping'])).toEqual({ name: 'ping', to: undefined, session: DEFAULT_SESSION })
    expect(parseCommand(['ping', 'Alice@Example.org/phone'])).toEqual({ name: 'ping', to: 'alice@example.org/phone', session: DEFAULT_SESSION })
  })

  it('reads say: the target, then the words as one text', () => {
    const command = parseCommand(['say', 'ops@example.org', 'deploy', 'done'])
    expect(command).toMatchObject({ name: 'say', text: 'deploy done', room: false, nick: undefined, session: DEFAULT_SESSION })
    expect(command.name === 'say' && command.to.bare).toBe('ops@example.org')
  })

  it('leaves the text of say to stdin when no words are given', () => {
    expect(parseCommand(['say', 'ops@example.org'])).toMatchObject({ name: 'say', text: undefined })
  })

  it('reads --room and --nick for say, and words after -- as text', () => {
    expect(parseCommand(['say', '--room', '--nick', 'herald', 'team@conference.example.org', '--', '-5', 'degrees'])).toMatchObject({
      name: 'say',
      text: '-5 degrees',
      room: true,
      nick: 'herald',
    })
  })

  it('reads dev: a free port, the terminal chat, and 30 s for an answer unless told', () => {
    expect(parseCommand(['dev'])).toEqual({ name: 'dev', port: undefined, say: undefined, timeout: 30_000, keep: false })
    expect(parseCommand(['dev', '--port', '5333', '--say', 'hello there', '--timeout', '5', '--keep'])).toEqual({
      name: 'dev',
      port: 5333,
      say: 'hello there',
      timeout: 5_000,
      keep: true,
    })
    expect(() => parseCommand(['check', '--keep'])).toThrow('--port, --say and --keep are options of dev, not of check')
  })

  it.each([
    [[], 'no command'],
    [['frobnicate'], 'frobnicate'],
    [['new'], 'which directory'],
    [['new', 'a', 'b'], 'one directory'],
    [['check', 'extra'], 'no arguments'],
    [['ping', 'a@b', 'c@d'], 'one JID'],
    [['ping', 'not a jid'], 'not a JID'],
    [['say'], 'to whom'],
    [['say', '@example.org', 'hi'], 'not a JID'],
    [['check', '--room'], 'options of say'],
    [['check', '--timeout', '0'], '--timeout'],
    [['check', '--timeout', 'soon'], '--timeout'],
    [['check', '--bogus'], '--bogus'],
    [['dev', 'mybot'], 'no arguments'],
    [['dev', '--port', '0'], '--port'],
    [['dev', '--port', '70000'], '--port'],
    [['dev', '--port', 'any'], '--port'],
    [['dev', '--say', ' '], '--say'],
    [['check', '--say', 'hi'], 'options of dev'],
    [['say', 'a@b', '--port', '5222'], 'options of dev'],
  ])('refuses %j with a one-line UsageError (%s)', (argv, fragment) => {
    let error: unknown
    try {
      parseCommand(argv)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UsageError)
    expect((error as Error).message).toContain(fragment)
    expect((error as Error).message).not.toContain('\n')
  })
})
