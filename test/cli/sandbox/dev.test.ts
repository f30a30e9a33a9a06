// `natter dev` as a process, where it cannot start: what it says, and its exit code. The sandbox at work is in
// demo.test.ts (this repository's echo bot) and integration/user-path.test.ts (a project from natter new).
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runNatter } from '../../support/natter-cli.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'natter-dev-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('natter dev', () => {
  it('outside a bot project: one line saying what it runs, exit 66', async () => {
    const run = await runNatter(['dev', '--say', 'hello'], {}, { cwd: dir })
    expect(run.code, run.stderr).toBe(66)
    expect(run.stderr).toBe(`natter dev: no Procfile in ${dir}: natter dev runs the bot: line of a bot project's Procfile (natter new writes one)\n`)
    expect(run.stdout).toBe('')
  })

  it('without Prosody, and no apt-get to install it with: one line with the command to run, exit 69', async () => {
    await writeFile(join(dir, 'Procfile'), 'bot: node bot.ts\n')
    // Neither prosody nor apt-get on this PATH; node itself is started by its full path.
    const run = await runNatter(['dev', '--say', 'hello'], { PATH: dir }, { cwd: dir })
    expect(run.code, run.stderr).toBe(69)
    expect(run.stderr).toMatch(/^natter dev: Prosody is not installed: install it with `sudo apt-get install prosody lua-unbound`[^\n]*\n$/)
  })

  it('with a .ts bot and a Node that cannot strip types: one line with the Node needed, exit 69, before anything starts', async () => {
    await writeFile(join(dir, 'Procfile'), 'bot: node bot.ts\n')
    // The Node the Procfile line would find says it is 20, whatever Node runs the tests.
    const bin = join(dir, 'bin')
    await mkdir(bin)
    await writeFile(join(bin, 'node'), '#!/bin/sh\necho v20.20.2\n')
    await chmod(join(bin, 'node'), 0o755)
    const run = await runNatter(['dev', '--say', 'hello'], { PATH: `${bin}:${process.env.PATH ?? ''}` }, { cwd: dir })
    expect(run.code, run.stderr).toBe(69)
    expect(run.stderr).toBe(
      'natter dev: bot.ts is TypeScript, which Node v20.20.2 cannot run: it needs Node 22.18 or newer (or 22.6 with --experimental-strip-types); install a newer Node, or compile with tsc and run the .js\n',
    )
  })
})
