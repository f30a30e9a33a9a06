import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline'
import type { Io } from '../io.js'

/**
 * What the user does at the prompt.
 *
 * @example
 * ```ts
 * const handlers: PromptHandlers = { line: (text) => me.say(text), quit: () => stop() }
 * ```
 */
export interface PromptHandlers {
  /** A line typed and sent with Enter, trimmed; never empty. */
  line(text: string): void
  /** `/quit`, Ctrl-D or Ctrl-C. */
  quit(): void
}

/**
 * The terminal of `natter dev`: lines from the bot and the chat, printed above a prompt that keeps
 * what the user is typing. Before the prompt is open, and when stdout is not a terminal, lines are
 * written as they are.
 *
 * @example
 * ```ts
 * const terminal = new Terminal(process.stdin, process.stdout, process.stderr)
 * terminal.open('me> ', { line: (text) => terminal.out(`you typed ${text}`), quit: () => terminal.close() })
 * ```
 */
export class Terminal implements Io {
  #prompt: Interface | undefined

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly stdout: NodeJS.WriteStream,
    private readonly stderr: NodeJS.WriteStream,
  ) {}

  /** Whether stdout is a terminal, where bot logs are worth colours. */
  get colour(): boolean {
    return this.stdout.isTTY === true
  }

  out(line: string): void {
    this.#print(line, this.stdout)
  }

  err(line: string): void {
    this.#print(line, this.stderr)
  }

  /** Shows the prompt and reads lines until the user quits or {@link Terminal.close} is called. */
  open(prompt: string, handlers: PromptHandlers): void {
    const rl = createInterface({ input: this.input, output: this.stdout, prompt })
    this.#prompt = rl
    rl.on('line', (typed) => {
      const text = typed.trim()
      if (text === '/quit') return handlers.quit()
      if (text) handlers.line(text)
      rl.prompt()
    })
    // On a terminal readline reads keys raw: Ctrl-C comes here rather than as a signal, Ctrl-D as close.
    rl.on('SIGINT', () => handlers.quit())
    rl.on('close', () => {
      // Closed by close() below, which the caller asked for: no second quit.
      if (this.#prompt === rl) handlers.quit()
    })
    rl.prompt()
  }

  /** Changes the prompt, e.g. to show the room that typed lines go to. */
  prompt(text: string): void {
    this.#prompt?.setPrompt(text)
    this.#prompt?.prompt(true)
  }

  /** Closes the prompt, leaving what was typed on its line, so that the next lines start on their own. */
  close(): void {
    const rl = this.#prompt
    if (!rl) return
    this.#prompt = undefined
    rl.close()
    if (this.stdout.isTTY) this.stdout.write('\n')
  }

  #print(line: string, stream: NodeJS.WriteStream): void {
    const rl = this.#prompt
    if (!rl || !stream.isTTY) {
      stream.write(`${line}\n`)
      return
    }
    clearLine(stream, 0)
    cursorTo(stream, 0)
    stream.write(`${line}\n`)
    rl.prompt(true)
  }
}
