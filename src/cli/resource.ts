import { randomBytes } from 'node:crypto'

/** The dynos Heroku starts for one command (`heroku run`, Scheduler, the release phase), never for a process type. */
const ONE_OFF_DYNO = /^(run|scheduler|release)\.\d+$/

/**
 * The resource a one-off command binds: the one-off dyno's name on Heroku (`run.1234`), else
 * `oneoff-<random>`. Never `XMPP_RESOURCE` or the resource of `JID`, which are the bot's: the
 * server would close the bot's session for the newcomer (stream `conflict`). Nor `$DYNO` of a
 * process type (`bot.1`, as a shell inside the bot's dyno has), for the same reason.
 *
 * @example
 * ```ts
 * oneOffResource({ DYNO: 'run.4711' }) // 'run.4711'
 * oneOffResource({}) // e.g. 'oneoff-3f9a20c1'
 * ```
 */
export function oneOffResource(env: Readonly<Record<string, string | undefined>>): string {
  const dyno = env.DYNO?.trim() ?? ''
  return ONE_OFF_DYNO.test(dyno) ? dyno : `oneoff-${randomBytes(4).toString('hex')}`
}
