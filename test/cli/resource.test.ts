import { describe, expect, it } from 'vitest'
import { oneOffResource } from '../../src/cli/resource.js'

describe('oneOffResource', () => {
  it.each(['run.1234', 'scheduler.7', 'release.42'])('is the one-off dyno %s', (dyno) => {
    expect(oneOffResource({ DYNO: dyno })).toBe(dyno)
  })

  it.each([[{}], [{ DYNO: 'bot.1' }], [{ DYNO: 'web.2' }], [{ DYNO: '' }]])('is oneoff-<random> elsewhere (%j)', (env) => {
    expect(oneOffResource(env)).toMatch(/^oneoff-[0-9a-f]{8}$/)
  })

  it("never takes the bot's resource", () => {
    expect(oneOffResource({ XMPP_RESOURCE: 'bot', JID: 'bot@example.org/bot' })).toMatch(/^oneoff-/)
  })

  it('differs from one call to the next', () => {
    expect(oneOffResource({})).not.toBe(oneOffResource({}))
  })
})
