// Runs the built demo as a user would (`npm test` builds dist/ before vitest starts).
import { execFile, execFileSync, spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))

/** Live (non-zombie) processes whose command line or environment mentions `needle`. */
async function processesMentioning(needle: string): Promise<string[]> {
  const found: string[] = []
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    try {
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ')
      const environ = await readFile(`/proc/${pid}/environ`, 'utf8')
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
      if ((cmdline.includes(needle) || environ.includes(needle)) && state !== 'Z') found.push(`${pid} ${cmdline}`)
    } catch {
      // exited while we looked
    }
  }
  return found
}

it('demo --say hello prints the echo and cleans up after itself', { timeout: 60_000 }, async () => {
  // A private TMPDIR marks everything the demo starts (Prosody and the bot inherit it) and shows what it leaves.
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'natter-demo-test-'))
  try {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [path.join(root, 'dist/tools/demo.js'), '--say', 'hello'],
        { cwd: root, env: { ...process.env, TMPDIR: tmp }, timeout: 50_000 },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      )
    })
    expect(result.stdout, result.stderr).toBe('You said: hello\n')
    expect(result.code, result.stderr).toBe(0)
    expect(await processesMentioning(tmp)).toEqual([])
    expect(await readdir(tmp)).toEqual([])
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
})

/** Whether util-linux `script` is here, to give the demo the terminal it has in a user's hands. */
function hasScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

it.skipIf(!hasScript())('demo: /quit at the prompt stops the bot with one SIGTERM, cleanly', { timeout: 60_000 }, async () => {
  const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('script', ['-qefc', `${process.execPath} dist/tools/demo.js`, '/dev/null'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    let quit = false
    const read = (chunk: Buffer): void => {
      output += chunk.toString()
      if (!quit && /bot@localhost\/\S+ is online/.test(output)) {
        quit = true
        child.stdin.write('/quit\r')
      }
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
  expect(result.code, result.output).toBe(0)
  expect(result.output).toMatch(/bot \| .*stopped/)
  expect(result.output).not.toContain('second signal')
})

