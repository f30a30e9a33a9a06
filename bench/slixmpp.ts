// slixmpp, the peer library: Debian's python3-slixmpp, run with the system Python.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export const PYTHON = '/usr/bin/python3'
const PACKAGE = 'python3-slixmpp'

/** The installed slixmpp's version, or undefined when the system Python cannot import it. */
function slixmppVersion(): string | undefined {
  if (!existsSync(PYTHON)) return undefined
  const probe = spawnSync(PYTHON, ['-c', 'import slixmpp; print(slixmpp.__version__)'], { encoding: 'utf8' })
  return probe.status === 0 ? probe.stdout.trim() : undefined
}

/**
 * Makes slixmpp available: installs the Debian package when it is missing and this process is root with
 * apt-get at hand, saying so in one line. Returns its version, or undefined (with a line saying how to
 * install it) when it stays missing.
 */
export function ensureSlixmpp(log: (line: string) => void): string | undefined {
  const found = slixmppVersion()
  if (found !== undefined) return found
  const hint = `slixmpp is not installed: \`sudo apt-get install ${PACKAGE}\` adds it; skipping the slixmpp column`
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    log(hint)
    return undefined
  }
  log(`slixmpp is not installed: installing ${PACKAGE} with apt-get`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const quiet = { env, stdio: 'ignore' as const }
  // A stale package list may not know the package yet.
  let install = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', PACKAGE], quiet)
  if (install.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], quiet)
    install = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', PACKAGE], quiet)
  }
  const version = slixmppVersion()
  if (version === undefined) log(hint)
  return version
}
