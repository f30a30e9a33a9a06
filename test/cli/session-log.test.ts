import { describe, expect, it } from 'vitest'
import { SessionLog } from '../../src/cli/session-log.js'

function logWith(debug: boolean): { log: SessionLog; printed: string[]; write(entry: Record<string, unknown>): void } {
  const printed: string[] = []
  const log = new SessionLog((line) => printed.push(line), debug)
  return { log, printed, write: (entry) => log.stream.write(`${JSON.stringify(entry)}\n`) }
}

describe('SessionLog', () => {
  it('tells people only warnings and errors, each problem once, with its error', () => {
    const { printed, write } = logWith(false)
    write({ level: 30, msg: 'online' })
    write({ level: 40, msg: 'connection error', err: 'connect ECONNREFUSED 127.0.0.1:1' })
    write({ level: 40, msg: 'cannot connect', err: 'connect ECONNREFUSED 127.0.0.1:1' })
    write({ level: 50, msg: 'cannot join room', err: { message: 'forbidden' } })
    expect(printed).toEqual(['natter: connection error: connect ECONNREFUSED 127.0.0.1:1', 'natter: cannot join room: forbidden'])
  })

  it('with -D passes every line on as it is', () => {
    const { printed, log } = logWith(true)
    log.stream.write('{"level":20,"msg":"xmpp out","xml":"<presence/>"}\n{"level":30,')
    log.stream.write('"msg":"online"}\n')
    expect(printed).toEqual(['{"level":20,"msg":"xmpp out","xml":"<presence/>"}', '{"level":30,"msg":"online"}'])
  })
})
