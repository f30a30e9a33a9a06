import { Writable } from 'node:stream'

/** pino's number for `warn`. */
const WARN = 40
/** XEP-0198's answer to `<enable/>`, as natter's debug trace of inbound elements shows it. */
const SM_ENABLED = /^<enabled\s[^>]*xmlns="urn:xmpp:sm:3"/

/**
 * Where a one-off command's bot logs to. The bot logs at debug level, so that every inbound
 * element passes here: natter's public API does not say whether the server enabled stream
 * management, its trace does. People see only warnings and errors, as short lines on stderr, or
 * with `-D` every line as it is.
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
  #streamManagement = false
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

  /** Whether the server enabled stream management (XEP-0198) on this session. */
  get streamManagement(): boolean {
    return this.#streamManagement
  }

  #line(line: string): void {
    let entry: Record<string, unknown>
    try {
      entry = JSON.parse(line) as Record<string, unknown>
    } catch {
      return
    }
    if (entry.msg === 'xmpp in' && typeof entry.xml === 'string' && SM_ENABLED.test(entry.xml)) this.#streamManagement = true
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
