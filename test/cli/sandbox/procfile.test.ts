import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Failure, NO_INPUT } from '../../../src/cli/failure.js'
import { botCommand, procfileEntry } from '../../../src/cli/sandbox/procfile.js'

describe('procfileEntry', () => {
  it('finds the line of the type, as written after the colon', () => {
    expect(procfileEntry('web: node web.js\nbot:   node bot.ts -v  \n', 'bot')).toBe('node bot.ts -v')
    expect(procfileEntry('bot: npm start\r\n', 'bot')).toBe('npm start')
  })

  it('skips other types, comments, blank and empty lines', () => {
    expect(procfileEntry('# bot: commented out\nbots: no\n\nworker: node w.js\n', 'bot')).toBeUndefined()
    expect(procfileEntry('bot:\n', 'bot')).toBeUndefined()
  })
})

describe('botCommand', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'natter-procfile-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('reads the bot: line of the Procfile in the directory', async () => {
    await writeFile(join(dir, 'Procfile'), 'bot: node bot.ts\n')
    expect(await botCommand(dir)).toBe('node bot.ts')
  })

  it.each([
    ['no Procfile', undefined, 'no Procfile in'],
    ['no bot: line', 'web: node web.js\n', 'has no bot: line'],
  ])('refuses a directory with %s, exit 66', async (_case, procfile, fragment) => {
    if (procfile !== undefined) await writeFile(join(dir, 'Procfile'), procfile)
    const error = await botCommand(dir).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Failure)
    expect((error as Failure).code).toBe(NO_INPUT)
    expect((error as Failure).message).toContain(fragment)
  })
})
