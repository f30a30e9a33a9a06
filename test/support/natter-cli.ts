// Runs the built `natter` command as a process, the way `heroku run` or a CI job would, and records what it prints.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../../tools/bot-process.js'

export const NATTER_BIN = join(ROOT, 'dist/src/cli/main.js')

export interface NatterRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/**
 * Runs `node dist/src/cli/main.js ...args` with exactly `env` (plus PATH), in `cwd` or else a fresh
 * empty directory, so that neither the test runner's environment nor a `.env` can leak in. `input`
 * is written to its stdin, which is otherwise empty; `signal` is sent to it once its stderr shows `once` (a point
 * the process is known to have reached, where a fixed delay would race its start on a loaded machine).
 */
export async function runNatter(
  args: readonly string[],
  env: Record<string, string>,
  options: { cwd?: string; input?: string; signal?: { name: NodeJS.Signals; once: RegExp } } = {},
): Promise<NatterRun> {
  const ownDir = options.cwd === undefined ? await mkdtemp(join(tmpdir(), 'natter-cli-')) : undefined
  const started = Date.now()
  try {
    return await new Promise<NatterRun>((resolve, reject) => {
      const child = spawn(process.execPath, [NATTER_BIN, ...args], {
        cwd: options.cwd ?? ownDir,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
      })
      let signalled = false
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
        const signal = options.signal
        if (signal && !signalled && signal.once.test(stderr)) {
          signalled = true
          child.kill(signal.name)
        }
      })
      child.on('error', reject)
      child.on('close', (code) => {
        resolve({ code, stdout, stderr, ms: Date.now() - started })
      })
      child.stdin.end(options.input ?? '')
    })
  } finally {
    if (ownDir) await rm(ownDir, { recursive: true, force: true })
  }
}
