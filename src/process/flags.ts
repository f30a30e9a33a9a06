import { parseArgs } from 'node:util'
import { UsageError } from '../errors.js'

/** The flags a bot script accepts. */
export interface Flags {
  debug: boolean
  help: boolean
  version: boolean
}

/**
 * Parses a bot script's flags: `-D`/`--debug`, `-h`/`--help`, `-v`/`--version`.
 *
 * @example
 * ```ts
 * parseFlags(['-D']) // { debug: true, help: false, version: false }
 * ```
 */
export function parseFlags(argv: readonly string[]): Flags {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        debug: { type: 'boolean', short: 'D', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
      strict: true,
      allowPositionals: false,
    })
    return { debug: values.debug, help: values.help, version: values.version }
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0] : String(error))
  }
}
