// What the numbers were measured on, printed with them.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT } from './bots.js'
import { PYTHON } from './slixmpp.js'

export interface Machine {
  readonly cores: number
  readonly cpu: string
  readonly memoryGb: number
  readonly kernel: string
  readonly node: string
  readonly prosody: string
  readonly python: string
  readonly slixmpp: string
  readonly xmppClient: string
  readonly natter: string
}

function firstLine(command: string, args: string[]): string {
  const run = spawnSync(command, args, { encoding: 'utf8' })
  return `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n')[0] ?? ''
}

function packageVersion(dir: string): string {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as { version: string }
  return version
}

export function describeMachine(slixmpp: string | undefined): Machine {
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    // `prosodyctl about` prints the version; `prosody --version` would start a server.
    prosody: firstLine('prosodyctl', ['about']).replace(/^Prosody\s+/, ''),
    python: firstLine(PYTHON, ['--version']).replace(/^Python\s+/, ''),
    slixmpp: slixmpp ?? 'not installed',
    xmppClient: packageVersion('node_modules/@xmpp/client'),
    natter: packageVersion('.'),
  }
}

/** The 1-minute load average, to tell a quiet machine from a busy one. */
export function loadAverage(): number {
  return os.loadavg()[0] ?? 0
}
