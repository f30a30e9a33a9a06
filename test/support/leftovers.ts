// What a command left running: processes marked by a private TMPDIR that the command and all it started inherit.
import { readdir, readFile } from 'node:fs/promises'

/** Live (non-zombie) processes whose command line or environment mentions `needle`. */
export async function processesMentioning(needle: string): Promise<string[]> {
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
