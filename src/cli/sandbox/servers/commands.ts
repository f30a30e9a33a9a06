// The programs a private server needs, found on PATH and run to their end, with the rights of this process.
import { spawn } from 'node:child_process'
import { accessSync, constants, statSync } from 'node:fs'
import path from 'node:path'

/**
 * The executable `name` on PATH, if any.
 *
 * @example
 * ```ts
 * which('prosodyctl') // '/usr/bin/prosodyctl'
 * ```
 */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    const candidate = path.join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      if (statSync(candidate).isFile()) return candidate
    } catch {
      // not in this PATH entry
    }
  }
  return undefined
}

/**
 * Whether this process runs as root, which may install packages and must tell Prosody it may run as root.
 *
 * @example
 * ```ts
 * if (isRoot()) await run('apt-get', ['update'])
 * ```
 */
export function isRoot(): boolean {
  return process.getuid?.() === 0
}

/**
 * Runs a command to its end; rejects with its last line of output when it fails.
 *
 * @example
 * ```ts
 * await run('prosodyctl', ['--config', config, 'register', 'bot', 'localhost', 'secret'])
 * ```
 */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const collect = (chunk: Buffer): void => {
      output += chunk.toString()
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(output)
      const last = output.trim().split('\n').pop() ?? ''
      reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${last}`))
    })
  })
}
