// Runs the built demo as a user would (`npm test` builds dist/ before vitest starts).
import { execFile } from 'node:child_process'
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
