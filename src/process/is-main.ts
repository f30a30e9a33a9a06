import { realpathSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Whether the module at `moduleUrl` is the program Node was started with (`node bot.js`), rather
 * than imported, e.g. by a test. Lets one file build a bot for its tests and run it as a worker.
 *
 * @example
 * ```ts
 * export function buildBot() { ... }
 * if (isMain(import.meta.url)) buildBot().run()
 * ```
 */
export function isMain(moduleUrl: string, entry: string | undefined = process.argv[1]): boolean {
  if (entry === undefined || !moduleUrl.startsWith('file:')) return false
  const module = realPath(fileURLToPath(moduleUrl))
  const main = realPath(entry)
  // `node dist/bot` runs dist/bot.js: Node finds the entry as it finds a module.
  return module === main || module.replace(/\.[cm]?[jt]s$/, '') === main
}

function realPath(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return resolve(path)
  }
}
