import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { run, which } from '../../../../src/cli/sandbox/servers/commands.js'

let dir: string
const path = process.env.PATH
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'natter-commands-'))
})
afterEach(async () => {
  process.env.PATH = path
  await rm(dir, { recursive: true, force: true })
})

describe('which', () => {
  it('finds an executable file on PATH, and neither a directory nor a file that is not executable', async () => {
    await writeFile(join(dir, 'tool'), '#!/bin/sh\n')
    await chmod(join(dir, 'tool'), 0o755)
    await writeFile(join(dir, 'plain'), 'text')
    await mkdir(join(dir, 'folder'))
    await chmod(join(dir, 'folder'), 0o755)
    process.env.PATH = ['', join(dir, 'missing'), dir].join(':')
    expect(which('tool')).toBe(join(dir, 'tool'))
    expect(which('plain')).toBeUndefined()
    expect(which('folder')).toBeUndefined()
    expect(which('nowhere')).toBeUndefined()
  })
})

describe('run', () => {
  it('resolves with what the command wrote to stdout and stderr, in the environment given', async () => {
    const output = await run('/bin/sh', ['-c', 'echo "$GREETING"; echo to-stderr >&2'], { GREETING: 'hello' })
    expect(output).toBe('hello\nto-stderr\n')
  })

  it('rejects with the exit code and the last line of output when the command fails', async () => {
    await expect(run('/bin/sh', ['-c', 'echo first; echo last >&2; exit 3'])).rejects.toThrow(
      '/bin/sh -c echo first; echo last >&2; exit 3 failed (exit 3): last',
    )
  })

  it('rejects when the command does not exist', async () => {
    await expect(run(join(dir, 'missing'), [])).rejects.toThrow(/ENOENT/)
  })
})
