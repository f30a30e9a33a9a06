// `npm ci`, the first command of working on natter, on this machine's Node: no EBADENGINE, from natter's own
// engines or from what its dependencies demand. Run in a copy of package.json and the lock, as a dry run from npm's
// cache, so nothing is installed and nothing is fetched.
import { execFile } from 'node:child_process'
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'natter-engines-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

it("npm ci warns of no engine on this machine's Node", { timeout: 120_000 }, async () => {
  for (const file of ['package.json', 'package-lock.json']) await copyFile(path.join(ROOT, file), path.join(dir, file))
  const { stdout, stderr } = await promisify(execFile)('npm', ['ci', '--dry-run', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: dir,
    timeout: 100_000,
  })
  expect(`${stdout}${stderr}`).not.toContain('EBADENGINE')
})

it('says the same engines in package.json and the lock', async () => {
  const manifest = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { engines: unknown }
  const lock = JSON.parse(await readFile(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: unknown }> }
  expect(lock.packages['']?.engines).toEqual(manifest.engines)
})
