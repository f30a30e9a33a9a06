// `npm run demo`, the README's first command after `npm ci`: it builds, then runs `natter dev` in this repository,
// whose Procfile starts the echo example. `npm test` has built dist/ already, so these run the script's command
// after its build step, as a user's terminal would.
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { ROOT } from '../../../tools/bot-process.js'
import { processesMentioning } from '../../support/leftovers.js'
import { afterBuild } from '../../support/npm-script.js'
import { hasScript, inTerminal } from '../../support/terminal-session.js'

/** The demo script's command after its build step: natter dev, here. */
async function demoCommand(): Promise<string> {
  const command = await afterBuild('demo')
  expect(command).toBe('node dist/src/cli/main.js dev')
  return command
}

// A private TMPDIR marks everything the demo starts (Prosody and the bot inherit it) and shows what it leaves.
let tmp: string
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'natter-demo-test-'))
})
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true })
})

it('npm run demo -- --say hello prints the echo and cleans up after itself', { timeout: 60_000 }, async () => {
  const command = await demoCommand()
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      'sh',
      ['-c', `${command} --say hello`],
      { cwd: ROOT, env: { ...process.env, TMPDIR: tmp }, timeout: 50_000 },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    )
  })
  expect(result.stdout, result.stderr).toBe('You said: hello\n')
  expect(result.code, result.stderr).toBe(0)
  expect(await processesMentioning(tmp)).toEqual([])
  expect(await readdir(tmp)).toEqual([])
})

it.skipIf(!hasScript())('npm run demo: /quit at the prompt stops the bot with one SIGTERM, cleanly', { timeout: 60_000 }, async () => {
  const result = await inTerminal(await demoCommand(), {
    cwd: ROOT,
    env: { ...process.env, TMPDIR: tmp },
    when: /bot@localhost\/\S+ is online/,
    keys: '/quit\r',
    ms: 50_000,
  })
  expect(result.code, result.output).toBe(0)
  expect(result.output).toMatch(/bot \| .*stopped/)
  expect(result.output).toMatch(/web side \(routes, webhooks, \/healthz, \/metrics\) is at http:\/\/localhost:\d+\./)
  expect(result.output).toMatch(/bot \| .*http: listening/)
  expect(result.output).not.toContain('second signal')
  expect(await processesMentioning(tmp)).toEqual([])
  expect(await readdir(tmp)).toEqual([])
})
