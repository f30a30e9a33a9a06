import { readFileSync } from 'node:fs'

/** natter's own package.json, found from this file whether it runs from `src/` or `dist/src/`. */
function readVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'natter' && pkg.version) return pkg.version
    } catch {
      // not at this depth; try the next
    }
  }
  return '0.0.0'
}

/**
 * natter's version, as published.
 *
 * @example
 * ```ts
 * bot.log.info({ natter: VERSION }, 'starting')
 * ```
 */
export const VERSION = readVersion()
