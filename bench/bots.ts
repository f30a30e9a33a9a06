// The bots compared, each started as its users would start it.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BotCommand } from './bot-process.js'
import { PYTHON } from './slixmpp.js'

/** The repository root (this file runs from dist/bench/). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface BotUnderTest extends BotCommand {
  readonly id: 'natter' | 'bare' | 'slixmpp'
  readonly label: string
}

/** natter's echo example exactly as the Procfile runs it, the floor it is measured against, and the peer. */
export const BOTS: readonly BotUnderTest[] = [
  { id: 'natter', label: 'natter echo example', command: process.execPath, args: [path.join(ROOT, 'dist/examples/echo.js')] },
  { id: 'bare', label: 'bare @xmpp/client', command: process.execPath, args: [path.join(ROOT, 'dist/bench/bots/bare-echo.js')] },
  { id: 'slixmpp', label: 'slixmpp', command: PYTHON, args: [path.join(ROOT, 'bench/bots/slixmpp_echo.py')] },
]
