// A Node.js that runs .ts files by type stripping (22.18 or newer), for the tests that run a generated bot
// project the way its users do. This machine's own Node may be older: Node 24 then comes from the npm
// registry as the node-linux-<arch> package, the only download these machines allow, kept in a cache dir.
import { execFile } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Where .ci/run and these tests keep the Node 24 package (NATTER_NODE24 names its binary directly). */
export const NODE24_PREFIX = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'natter', 'node24')
const PACKAGE = `node-linux-${process.arch}`
const BINARY = join(NODE24_PREFIX, 'node_modules', PACKAGE, 'bin', 'node')
const FETCH_TIMEOUT_MS = 180_000

export type ModernNode = { readonly path: string; readonly version: string } | { readonly missing: string }

/**
 * This process's Node when it is 22.18 or newer; else `$NATTER_NODE24`; else Node 24 from the cache dir,
 * installed there from the npm registry first when it is not yet. `missing` says why there is none.
 */
export async function modernNode(): Promise<ModernNode> {
  if (isModern(process.version)) return { path: process.execPath, version: process.version }
  const candidates = [process.env.NATTER_NODE24, BINARY].filter((p): p is string => Boolean(p))
  for (const path of candidates) {
    const found = await check(path)
    if (found) return found
  }
  try {
    await run('npm', ['install', '--prefix', NODE24_PREFIX, `${PACKAGE}@24`, '--no-audit', '--no-fund', '--prefer-offline'], {
      timeout: FETCH_TIMEOUT_MS,
    })
  } catch (error) {
    return { missing: `Node ${process.version} cannot run .ts files, and ${PACKAGE}@24 could not be installed: ${(error as Error).message.split('\n')[0]}` }
  }
  return (await check(BINARY)) ?? { missing: `${PACKAGE}@24 installed, but ${BINARY} does not run as Node 22.18 or newer` }
}

async function check(path: string): Promise<{ path: string; version: string } | undefined> {
  try {
    await access(path, constants.X_OK)
    const { stdout } = await run(path, ['--version'])
    const version = stdout.trim()
    return isModern(version) ? { path, version } : undefined
  } catch {
    return undefined
  }
}

/** 22.18 is the first Node that strips types without a flag. */
function isModern(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number)
  return major > 22 || (major === 22 && minor >= 18)
}
