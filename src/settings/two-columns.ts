/** The narrowest second column worth having: below it, the text goes under its key instead. */
const MIN_TEXT_WIDTH = 30
/** Where the text starts when it goes under its key. */
const UNDER_INDENT = 6

/**
 * Lays out rows of a two-column table for a terminal: keys indented by two, the text in a column as
 * wide as the longest key allows, wrapped before `width`. A key too long for that puts its text on
 * the lines under it, so that no key ever runs into its text.
 *
 * @example
 * ```ts
 * twoColumns([['-h, --help', 'show this help']]) // ['  -h, --help  show this help']
 * ```
 */
export function twoColumns(rows: ReadonlyArray<readonly [string | number, string]>, width = 80): string[] {
  const longest = Math.max(0, ...rows.map(([key]) => String(key).length))
  const beside = 2 + longest + 2
  const indent = width - 1 - beside >= MIN_TEXT_WIDTH ? beside : UNDER_INDENT
  const lines: string[] = []
  for (const [key, text] of rows) {
    let line = `  ${key}`
    if (line.length + 2 > indent) {
      lines.push(line)
      line = ''
    }
    line = line.padEnd(indent)
    let empty = true
    for (const word of text.split(' ')) {
      if (!empty && line.length + 1 + word.length > width - 1) {
        lines.push(line.trimEnd())
        line = ' '.repeat(indent)
        empty = true
      }
      line += empty ? word : ` ${word}`
      empty = false
    }
    lines.push(line.trimEnd())
  }
  return lines
}
