// Runs a command in a pseudo-terminal through util-linux script(1), so that it gets the terminal it has
// in a user's hands: a pipe does not show what a prompt does with Ctrl-C, Ctrl-D and a closing readline.
import { execFileSync, spawn } from 'node:child_process'

/** Whether script(1) is here; tests that need a terminal are skipped without it. */
export function hasScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export interface TerminalRun {
  readonly code: number | null
  /** Everything the terminal showed, stdout and stderr together. */
  readonly output: string
}

/**
 * Runs `command` (a shell line) in a terminal in `cwd`, and types `keys` once the output matches
 * `when`, then each of `after`'s keys once the output matches its `when` in turn. SIGKILLed after
 * `ms`, so a hang shows as a failed exit code with the output so far.
 */
export function inTerminal(
  command: string,
  options: { cwd: string; env?: NodeJS.ProcessEnv; when: RegExp; keys: string; after?: ReadonlyArray<{ when: RegExp; keys: string }>; ms: number },
): Promise<TerminalRun> {
  return new Promise((resolve) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    const steps = [{ when: options.when, keys: options.keys }, ...(options.after ?? [])]
    const read = (chunk: Buffer): void => {
      output += chunk.toString()
      const step = steps[0]
      if (step?.when.test(output)) {
        steps.shift()
        child.stdin.write(step.keys)
      }
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    const timer = setTimeout(() => child.kill('SIGKILL'), options.ms)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}
