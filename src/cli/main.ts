#!/usr/bin/env node
// The `natter` command: `new` writes a bot project; `dev` runs it against a private Prosody with a chat on the
// terminal; `check`, `say` and `ping` are one-off commands that log in as the bot (for `heroku run`, Scheduler
// and CI) and exit with natter's exit codes.
import { ExitCode, VERSION } from '../index.js'
import { type Command, parseCommand } from './args.js'
import { check } from './check.js'
import { exitCodeFor } from './failure.js'
import { helpText } from './help.js'
import { type Io, processIo } from './io.js'
import { newProject } from './new-project.js'
import { runOneOff } from './one-off.js'
import { ping } from './ping.js'
import { runSandbox } from './sandbox/sandbox.js'
import { Terminal } from './sandbox/terminal.js'
import { say } from './say.js'

async function main(argv: readonly string[], io: Io): Promise<number> {
  let command: Command
  try {
    command = parseCommand(argv)
  } catch (error) {
    io.err(`natter: ${(error as Error).message}; see natter --help`)
    return ExitCode.Usage
  }
  switch (command.name) {
    case 'help':
      io.out(helpText())
      return ExitCode.Ok
    case 'version':
      io.out(`natter ${VERSION}`)
      return ExitCode.Ok
    case 'new':
      return newProject(command.dir, io).then(
        () => ExitCode.Ok,
        (error: unknown) => {
          io.err(`natter: ${(error as Error).message}`)
          return exitCodeFor(error)
        },
      )
    case 'dev': {
      const terminal = new Terminal(process.stdin, process.stdout, process.stderr)
      return runSandbox({ dir: process.cwd(), port: command.port, say: command.say, timeout: command.timeout, keep: command.keep }, terminal)
    }
    case 'check':
      return runOneOff(command.session, io, (session) => check(session, io))
    case 'ping': {
      const to = command.to
      return runOneOff(command.session, io, (session) => ping(session, to, io))
    }
    case 'say': {
      const text = command.text ?? (process.stdin.isTTY ? '' : await readStdin())
      if (text.trim() === '') {
        io.err('natter: say: nothing to say; give the text as arguments or on stdin')
        return ExitCode.Usage
      }
      const saying = { to: command.to, text, room: command.room, nick: command.nick }
      return runOneOff(command.session, io, (session) => say(session, saying, io))
    }
  }
}

/** All of stdin, without the newline that ends its last line. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

process.exit(await main(process.argv.slice(2), processIo))
