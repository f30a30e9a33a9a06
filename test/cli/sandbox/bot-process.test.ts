import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startBotProcess } from '../../../src/cli/sandbox/bot-process.js'

// A bot that says when it is up and what signals it gets, and exits 0 on SIGTERM as natter's bots do.
const BOT = `node -e "process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(0) }); console.log('up as', process.env.JID); console.error('to stderr'); setInterval(() => {}, 1000)"`

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'natter-bot-process-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

function start(command: string) {
  const lines: string[] = []
  let up!: () => void
  const started = new Promise<void>((resolve) => (up = resolve))
  const bot = startBotProcess({
    command,
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', JID: 'bot@localhost' },
    line: (text, stream) => {
      lines.push(`${stream}: ${text}`)
      if (text.startsWith('up as')) up()
    },
  })
  return { bot, lines, started }
}

describe('startBotProcess', () => {
  it('runs a Procfile line in the shell, in the directory, and passes on each line of output', async () => {
    const { bot, lines } = start('pwd && echo "$JID" && echo oops >&2')
    expect(await bot.ended).toEqual({ code: 0, signal: null })
    expect(lines).toEqual(expect.arrayContaining([`stdout: ${dir}`, 'stdout: bot@localhost', 'stderr: oops']))
  })

  it('stops the bot with one SIGTERM, also when the shell does not exec it, and waits for its last line', async () => {
    // The `echo` first keeps the shell from handing its process over to the bot.
    const { bot, lines, started } = start(`echo starting && ${BOT}`)
    await started
    await bot.stop(30_000)
    await bot.stop(30_000)
    expect(lines.filter((line) => line.includes('got SIGTERM'))).toEqual(['stdout: got SIGTERM'])
    expect(lines).toContain('stderr: to stderr')
  })
})
