import { expect, it } from 'vitest'
import { botLines } from '../../../src/cli/sandbox/bot-lines.js'

it('keeps the bot | prefix on every line of a log line whose fields hold newlines', () => {
  const line = JSON.stringify({ level: 20, time: 0, msg: 'xmpp in', xml: '<message><body>first\nsecond\nthird</body></message>' })
  expect(botLines(line, false)).toEqual(['bot | 00:00:00.000 DEBUG xmpp in xml=<message><body>first', 'bot | second', 'bot | third</body></message>'])
  expect(botLines('plain output', false)).toEqual(['bot | plain output'])
})
