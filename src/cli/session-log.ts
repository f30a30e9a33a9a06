import { Writable } from 'node:stream'

/** pino's number for `warn`. */
const WARN = 40

/**
 * Where a one-off command's bot logs to. People see only warnings and errors, as short lines on
 * stderr, or with `-D` every line as it is.
 *
 * @example
 * ```ts
 * const log = new SessionLog((line) => process.stderr.write(`${line}\n`), false)
 * const bot = createBot({ logLevel: 'debug', logDestination: log.stream })
 * ```
 */
export class SessionLog {
  /** The bot's `logDestination`. */
  readonly stream: Writable
  #partial = ''
  readonly #told = new Set<string>()

  constructor(
    private readonly print: (line: string) => void,
    private readonly debug: boolean,
  ) {
    this.stream = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        const lines = (this.#partial + chunk.toString()).split('\n')
        this.#partial = lines.pop() ?? ''
        for (const line of lines) this.#line(line)
        done()
      },
    })
  }

  #line(line: string): void {
    let entry: Record<string, unknown>
    try {
      entry = JSON.parse(line) as Record<string, unknown>
    } catch {
      return
    }
    if (this.debug) this.print(line)
    else if (typeof entry.level === 'number' && entry.level >= WARN) this.#tell(entry)
  }

  /** One line per problem: each failed connection attempt logs the same error twice, and retries repeat it. */
  #tell(entry: Record<string, unknown>): void {
    const msg = String(entry.msg ?? '')
    const error = errorText(entry.err)
    const problem = error ?? msg
    if (this.#told.has(problem)) return
    this.#told.add(problem)
    this.print(`natter: ${error === undefined ? msg : `${msg}: ${error}`}`)
  }
}

/** The message of the error a log entry carries, if any. */
function errorText(err: unknown): string | undefined {
  if (typeof err === 'string') return err
  if (typeof err === 'object' && err !== null && 'message' in err) return String(err.message)
  return undefined
}
