import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Failure } from '../../src/cli/failure.js'
import type { Io } from '../../src/cli/io.js'
import { newProject } from '../../src/cli/new-project.js'
import { ROOT } from '../../tools/bot-process.js'
import { runNatter } from '../support/natter-cli.js'

let root: string
let out: string[]
const io: Io = { out: (line) => out.push(line), err: (line) => out.push(`ERR ${line}`) }

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'natter-new-'))
  out = []
})

afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('natter new', () => {
  it('writes the whole project into a new directory', async () => {
    await newProject(path.join(root, 'mybot'), io)
    expect((await readdir(path.join(root, 'mybot'))).sort()).toEqual([
      '.env.example',
      '.gitignore',
      'Procfile',
      'README.md',
      'bot.test.ts',
      'bot.ts',
      'package.json',
      'tsconfig.json',
    ])
  })

  it('writes a package.json that runs bot.ts on Node 22.18+ and depends on this natter', async () => {
    await newProject(path.join(root, 'My Bot'), io)
    const pkg = JSON.parse(await readFile(path.join(root, 'My Bot', 'package.json'), 'utf8')) as Record<string, unknown>
    expect(pkg).toMatchObject({
      name: 'my-bot',
      type: 'module',
      engines: { node: '>=22.18' },
      scripts: { start: 'node bot.ts', test: 'tsc && node --test' },
      // Run from this checkout: a dependency npm install finds without the registry.
      dependencies: { natter: `file:${ROOT}` },
    })
  })

  it('run from the built command, depends on this checkout by a path that exists', { timeout: 30_000 }, async () => {
    const run = await runNatter(['new', 'mybot'], {}, { cwd: root })
    expect(run.code, run.stderr).toBe(0)
    const pkg = JSON.parse(await readFile(path.join(root, 'mybot', 'package.json'), 'utf8')) as { dependencies: { natter: string } }
    expect(pkg.dependencies.natter).toBe(`file:${ROOT}`)
    const manifest = JSON.parse(await readFile(path.join(pkg.dependencies.natter.slice('file:'.length), 'package.json'), 'utf8')) as { name: string }
    expect(manifest.name).toBe('natter')
  })

  it('runs the bot from the Procfile the way npm start does', async () => {
    await newProject(path.join(root, 'mybot'), io)
    expect(await readFile(path.join(root, 'mybot', 'Procfile'), 'utf8')).toBe('bot: node bot.ts\n')
  })

  it('writes the echo bot as a module a test can import, run only as the entry point', async () => {
    await newProject(path.join(root, 'mybot'), io)
    const bot = await readFile(path.join(root, 'mybot', 'bot.ts'), 'utf8')
    expect(bot).toContain("import { createBot } from 'natter'")
    expect(bot).toContain('export const bot = createBot()')
    expect(bot).toContain("bot.subscription({ type: 'subscribe' }, (request) => request.approve())")
    expect(bot).toContain(['message.reply(`You said: $', '{message.body}`)'].join(''))
    expect(bot).toContain('if (import.meta.main) bot.run()')
    const test = await readFile(path.join(root, 'mybot', 'bot.test.ts'), 'utf8')
    expect(test).toContain("import { testKit } from 'natter/testing'")
    expect(test).toContain("import { bot } from './bot.ts'")
  })

  it('keeps secrets out of git and shows the settings in .env.example', async () => {
    await newProject(path.join(root, 'mybot'), io)
    expect((await readFile(path.join(root, 'mybot', '.gitignore'), 'utf8')).split('\n')).toEqual(expect.arrayContaining(['.env', 'node_modules/']))
    const example = await readFile(path.join(root, 'mybot', '.env.example'), 'utf8')
    expect(example).toMatch(/^JID=/m)
    expect(example).toMatch(/^JPASSWORD=/m)
  })

  it('explains the local and the Heroku commands in the README', async () => {
    await newProject(path.join(root, 'mybot'), io)
    const readme = await readFile(path.join(root, 'mybot', 'README.md'), 'utf8')
    for (const command of [
      'heroku create',
      'heroku config:set JID=bot@example.org JPASSWORD=secret',
      'git push heroku main',
      'heroku ps:scale bot=1',
      'heroku logs --tail',
      'cp .env.example .env',
      'npm start -- -D',
      'npm test',
      'npx natter dev',
      'npx natter dev --say hello',
    ]) {
      expect(readme).toContain(command)
    }
    expect(readme).not.toMatch(/https?:\/\//)
  })

  it('prints what to run next', async () => {
    await newProject(path.join(root, 'mybot'), io)
    expect(out.join('\n')).toMatch(/cd \S*mybot\n\s+npm install\n\s+npm test\n\s+npx natter dev .*\n\s+cp \.env\.example \.env.*\n\s+npm start -- -D/)
  })

  it('writes into an existing empty directory', async () => {
    await mkdir(path.join(root, 'empty'))
    await newProject(path.join(root, 'empty'), io)
    expect(await readdir(path.join(root, 'empty'))).toContain('bot.ts')
  })

  it('refuses a directory that is not empty with exit code 73, and leaves it alone', async () => {
    await mkdir(path.join(root, 'taken'))
    await writeFile(path.join(root, 'taken', 'bot.ts'), 'mine')
    const error = await newProject(path.join(root, 'taken'), io).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Failure)
    expect(error).toMatchObject({ code: 73, message: expect.stringContaining('is not empty') })
    expect(await readdir(path.join(root, 'taken'))).toEqual(['bot.ts'])
    expect(await readFile(path.join(root, 'taken', 'bot.ts'), 'utf8')).toBe('mine')
  })

  it('refuses a path that is a file, with exit code 73', async () => {
    await writeFile(path.join(root, 'file'), '')
    await expect(newProject(path.join(root, 'file'), io)).rejects.toMatchObject({ code: 73 })
  })
})
