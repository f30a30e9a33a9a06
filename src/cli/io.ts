/**
 * Where a command writes: results on stdout, problems on stderr, one line at a time.
 *
 * @example
 * ```ts
 * io.out('localhost: 2.1 ms')
 * ```
 */
export interface Io {
  out(line: string): void
  err(line: string): void
}

/** The process's own stdout and stderr. */
export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}
