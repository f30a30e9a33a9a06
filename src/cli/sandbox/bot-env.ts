/**
 * The bot's account in the sandbox, as `natter dev` hands it over.
 *
 * @example
 * ```ts
 * const account: SandboxAccount = { jid: 'bot@localhost', password: 'x', service: prosody.service }
 * ```
 */
export interface SandboxAccount {
  readonly jid: string
  readonly password: string
  /** `xmpp://127.0.0.1:<port>`: the sandbox's Prosody. */
  readonly service: string
}

/**
 * The environment the bot runs with in the sandbox: this process's, with the sandbox's account and
 * server as `JID`, `JPASSWORD` and `XMPP_SERVICE`. The user's own `JID`, `JPASSWORD` and `XMPP_*`
 * settings are left out, so none can point the bot at another server or resource; of `XMPP_ROOMS`
 * only rooms on the sandbox's `conference.localhost` are kept, to meet the bot in. The three set here
 * also win over the project's `.env`, which the bot reads only for variables that are not set.
 *
 * @example
 * ```ts
 * sandboxEnv(process.env, { jid: 'bot@localhost', password: 'x', service: 'xmpp://127.0.0.1:5333' }).JID // 'bot@localhost'
 * ```
 */
export function sandboxEnv(base: NodeJS.ProcessEnv, account: SandboxAccount): NodeJS.ProcessEnv {
  const kept = Object.entries(base).filter(([key]) => key !== 'JID' && key !== 'JPASSWORD' && !key.startsWith('XMPP_'))
  // Rooms on the sandbox's own room service are where the bot meets you at the prompt's /join.
  const rooms = (base.XMPP_ROOMS ?? '')
    .split(',')
    .map((room) => room.trim())
    .filter((room) => /^[^@\s]+@conference\.localhost(?:\/\S*)?$/.test(room))
  return {
    ...Object.fromEntries(kept),
    ...(rooms.length > 0 ? { XMPP_ROOMS: rooms.join(',') } : {}),
    JID: account.jid,
    JPASSWORD: account.password,
    XMPP_SERVICE: account.service,
  }
}
