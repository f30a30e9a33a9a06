// Installing a missing server the way a fresh Debian or Ubuntu machine (CI, a container) can: as root, with apt-get.
import { isRoot, run, which } from './commands.js'

/**
 * Whether this process may install Debian packages: it runs as root and apt-get is on PATH.
 *
 * @example
 * ```ts
 * if (!canInstallPackages()) throw new Error('install prosody first')
 * ```
 */
export function canInstallPackages(): boolean {
  return isRoot() && which('apt-get') !== undefined
}

/**
 * Refreshes the package lists and installs `packages` without their recommendations, asking nothing.
 *
 * @example
 * ```ts
 * await installPackages(['ejabberd'])
 * ```
 */
export async function installPackages(packages: readonly string[]): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  await run('apt-get', ['update'], env)
  await run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], env)
}
