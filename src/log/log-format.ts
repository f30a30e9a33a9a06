const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' }
const COLORS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' }
const SKIP = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname'])

/**
 * Turns one pino JSON line into a line for people: time, level, message, then the other fields.
 * Lines that are not pino JSON pass through unchanged.
 *
 * @example
 * ```ts
 * formatLogLine('{"level":30,"time":0,"msg":"online"}') // '00:00:00.000 INFO  online\n'
 * ```
 */
export function formatLogLine(line: string, color = false): string {
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(line) as Record<string, unknown>
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`
  }
  const level = typeof entry.level === 'number' ? entry.level : 30
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : ''
  const tag = LEVELS[level] ?? String(level)
  const fields = Object.entries(entry)
    .filter(([key]) => !SKIP.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
  const head = color ? `\x1b[${COLORS[level] ?? '0'}m${tag}\x1b[0m` : tag
  return `${time} ${head} ${String(entry.msg ?? '')}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}\n`
}
