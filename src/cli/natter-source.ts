import { existsSync } from 'node:fs'
import { readFile, realpath } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { VERSION } from '../index.js'

/**
 * How a project from `natter new` depends on the natter that wrote it, so that `npm install` finds
 * it: `file:` the checkout it runs from, `file:` the tarball npm installed it from, or `^version` when
 * it came from the registry (or where it came from cannot be told).
 *
 * @example
 * ```ts
 * await natterDependency() // 'file:/home/me/natter' when run from a checkout
 * ```
 */
export async function natterDependency(from = fileURLToPath(import.meta.url)): Promise<string> {
  const root = await packageRoot(await realpath(from))
  if (root === undefined) return `^${VERSION}`
  const parts = root.split(path.sep)
  const at = parts.lastIndexOf('node_modules')
  // Not inside node_modules: a checkout (or a folder npm links to, which realpath has followed).
  if (at === -1) return `file:${root}`
  const project = parts.slice(0, at).join(path.sep) || path.sep
  const resolved = await resolvedIn(project, parts.slice(at).join('/'))
  if (resolved?.startsWith('file:')) {
    const tarball = path.resolve(project, resolved.slice('file:'.length))
    if (existsSync(tarball)) return `file:${tarball}`
  }
  return `^${VERSION}`
}

/** The nearest directory above `file` whose package.json is natter's. */
async function packageRoot(file: string): Promise<string | undefined> {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const manifest = await readFile(path.join(dir, 'package.json'), 'utf8').catch(() => undefined)
    if (manifest !== undefined && (JSON.parse(manifest) as { name?: unknown }).name === 'natter') return dir
    if (path.dirname(dir) === dir) return undefined
  }
}

/** Where npm says it got the package at `key` (`node_modules/natter`) of the project that installed it. */
async function resolvedIn(project: string, key: string): Promise<string | undefined> {
  // npm keeps a copy of the lock inside node_modules; npx's cache has only that one.
  for (const lock of [path.join(project, 'node_modules', '.package-lock.json'), path.join(project, 'package-lock.json')]) {
    const text = await readFile(lock, 'utf8').catch(() => undefined)
    if (text === undefined) continue
    try {
      const entry = (JSON.parse(text) as { packages?: Record<string, { resolved?: unknown }> }).packages?.[key]
      if (typeof entry?.resolved === 'string') return entry.resolved
    } catch {
      // a lock that cannot be read tells nothing
    }
  }
  return undefined
}
