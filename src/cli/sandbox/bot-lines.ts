import { formatLogLine } from '../../log/log-format.js'

/**
 * What `natter dev` shows of one line of the bot's output: the log line made readable, every line of
 * it behind `bot | `, since its fields may hold newlines (a multi-line body in `-D`'s XML, a stack)
 * that would otherwise start lines of their own, unmarked.
 *
 * @example
 * ```ts
 * botLines('{"level":20,"time":0,"msg":"xmpp in","xml":"<body>a\\nb</body>"}', false)
 * // ['bot | 00:00:00.000 DEBUG xmpp in xml=<body>a', 'bot | b</body>']
 * ```
 */
export function botLines(text: string, colour: boolean): string[] {
  return formatLogLine(text, colour)
    .trimEnd()
    .split('\n')
    .map((line) => `bot | ${line}`)
}
