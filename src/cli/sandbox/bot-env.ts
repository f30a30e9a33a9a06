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
 * settings are left out, so none can point the bot at another server or resource; `XMPP_ROOMS` is
 * kept, for rooms on the sandbox's `conference.localhost` to meet the bot in. The three set here
 * also win over the project's `.env`, which the bot reads only for variables that are not set.
 *
 * @example
 * ```ts
 * sandboxEnv(process.env, { jid: 'bot@localhost', password: 'x', service: 'xmpp://127.0.0.1:5333' }).JID // 'bot@localhost'
 * ```
 */
export function sandboxEnv(base: NodeJS.ProcessEnv, account: SandboxAccount): NodeJS.ProcessEnv {
  // XMPP_ROOMS stays: rooms on conference.localhost are how the bot meets you in a room there.
  const kept = Object.entries(base).filter(([key]) => key !== 'JID' && key !== 'JPASSWORD' && (key === 'XMPP_ROOMS' || !key.startsWith('XMPP_')))
  return { ...Object.fromEntries(kept), JID: account.jid, JPASSWORD: account.password, XMPP_SERVICE: account.service }
}
