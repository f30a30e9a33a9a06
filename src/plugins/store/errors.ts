/**
 * The store could not be reached, or refused the operation: PostgreSQL is down, the XMPP server
 * refuses private storage or did not answer. natter retries what is safe to retry before it gives
 * up with this error, which fails the handler through the usual error path: nothing is lost silently.
 *
 * @example
 * ```ts
 * bot.catch((error, ctx) => { if (error instanceof StoreUnavailableError) ctx.log.warn('store down: try again later') })
 * ```
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError'
  constructor(
    message: string,
    /** Whether trying again later may succeed (a connection lost, a timeout), as opposed to a refusal. */
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/**
 * `update()` found the key changed by someone else each time it tried: another process kept writing it.
 *
 * @example
 * ```ts
 * await bot.store.update('counter', (n = 0) => n + 1).catch((e) => { if (e instanceof StoreConflictError) bot.log.warn(e.message) })
 * ```
 */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError'
}

/**
 * What the store holds was written by a newer natter, in a format (or database schema) this one
 * does not know: upgrade natter rather than overwrite it.
 *
 * @example
 * ```ts
 * try { await bot.store.get('todo') } catch (e) { if (e instanceof StoreFormatError) bot.log.fatal(e.message) }
 * ```
 */
export class StoreFormatError extends Error {
  override readonly name = 'StoreFormatError'
}
