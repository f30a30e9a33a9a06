import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { Failure, NO_INPUT } from '../failure.js'

/** `<type>: <command>`, as Procfile runners read it; anything else (comments, blank lines) is skipped. */
const ENTRY = /^([A-Za-z0-9_-]+):\s*(.*?)\s*$/

/**
 * The command of a process type in the text of a Procfile, as written after `<type>:`; undefined
 * when the type has no line, or an empty one.
 *
 * @example
 * ```ts
 * procfileEntry('web: node web.js\nbot: node bot.ts\n', 'bot') // 'node bot.ts'
 * ```
 */
export function procfileEntry(text: string, type: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const [, name, command] = ENTRY.exec(line) ?? []
    if (name === type && command) return command
  }
  return undefined
}

/**
 * The `bot:` command of the Procfile in `dir`, the one Heroku runs for `heroku ps:scale bot=1`.
 * Rejects with a {@link Failure} (exit 66) when there is no Procfile or no `bot:` line in it.
 *
 * @example
 * ```ts
 * await botCommand('mybot') // 'node bot.ts'
 * ```
 */
export async function botCommand(dir: string): Promise<string> {
  const file = path.join(dir, 'Procfile')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Failure(`no Procfile in ${dir}: natter dev runs the bot: line of a bot project's Procfile (natter new writes one)`, NO_INPUT)
    }
    throw new Failure(`cannot read ${file}: ${(error as Error).message}`, NO_INPUT)
  }
  const command = procfileEntry(text, 'bot')
  if (command === undefined) throw new Failure(`${file} has no bot: line to run, such as "bot: node bot.ts"`, NO_INPUT)
  return command
}
