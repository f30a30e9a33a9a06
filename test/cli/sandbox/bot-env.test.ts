import { describe, expect, it } from 'vitest'
import { sandboxEnv } from '../../../src/cli/sandbox/bot-env.js'

describe('sandboxEnv', () => {
  const account = { jid: 'bot@localhost', password: 'sandbox-pw', service: 'xmpp://127.0.0.1:5333' }

  it("gives the bot the sandbox's account and server, and keeps the rest of the environment", () => {
    const env = sandboxEnv({ PATH: '/usr/bin', LOG_LEVEL: 'debug', WEATHER_KEY: 'k' }, account)
    expect(env).toEqual({
      PATH: '/usr/bin',
      LOG_LEVEL: 'debug',
      WEATHER_KEY: 'k',
      JID: 'bot@localhost',
      JPASSWORD: 'sandbox-pw',
      XMPP_SERVICE: 'xmpp://127.0.0.1:5333',
    })
  })

  it("leaves out the user's own account and XMPP settings, so none points the bot elsewhere", () => {
    const env = sandboxEnv(
      {
        JID: 'prod@example.org/x',
        JPASSWORD: 'prod',
        XMPP_SERVICE: 'xmpps://example.org:5223',
        XMPP_RESOURCE: 'bot.1',
        XMPP_ROOMS: 'ops@conference.example.org',
      },
      account,
    )
    expect(env).toEqual({ JID: 'bot@localhost', JPASSWORD: 'sandbox-pw', XMPP_SERVICE: 'xmpp://127.0.0.1:5333' })
  })

  it("keeps the rooms of XMPP_ROOMS on the sandbox's room service, where /join meets the bot", () => {
    const env = sandboxEnv({ XMPP_ROOMS: 'ops@conference.example.org, team@conference.localhost,lab@conference.localhost/helper' }, account)
    expect(env.XMPP_ROOMS).toBe('team@conference.localhost,lab@conference.localhost/helper')
  })
})
