import { NS_STANZAS } from './ns.js'
import { type XmlElement, xml } from './xml.js'

/**
 * A setting is missing or malformed. The message is one line that starts with the variable's name;
 * a bot run with `bot.run()` prints it and exits with {@link ExitCode.Config}.
 *
 * @example
 * ```ts
 * try { loadSettings({}) } catch (e) { if (e instanceof ConfigError) console.error(e.message) }
 * ```
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  constructor(
    /** The environment variable (or option) at fault, e.g. `JID`. */
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`)
  }
}

/**
 * The bot cannot go on and retrying would not help: the server refused the credentials or failed to
 * prove itself, it offers no TLS where natter requires it, another connection took over the bot's
 * resource, the server stayed unreachable for longer than `reconnect.giveUpAfter`, or the connection
 * failed in a way natter cannot recover from.
 *
 * @example
 * ```ts
 * bot.on('error', (e) => { if (e instanceof FatalError) console.error(e.reason) })
 * ```
 */
export class FatalError extends Error {
  override readonly name = 'FatalError'
  constructor(
    readonly reason: FatalReason,
    message: string,
    /** `cause` keeps the error that led here (a {@link ConnectError}, a stream error), so it is never lost. */
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }

  /** The code a bot run with `bot.run()` exits with for it (see {@link ExitCode}). */
  get exitCode(): number {
    return FATAL_EXIT_CODES[this.reason]
  }
}

/**
 * Why the bot cannot go on; each reason has its exit code (see {@link ExitCode}).
 *
 * @example
 * ```ts
 * bot.on('error', (error) => { if (error instanceof FatalError && error.reason === 'auth') console.error('check JID and JPASSWORD') })
 * ```
 */
export type FatalReason = 'auth' | 'conflict' | 'tls' | 'unreachable' | 'refused' | 'internal'

/**
 * Why one connection attempt failed. Only `network` is worth retrying; the others fail the same way on
 * every attempt: `auth` (the server refused the credentials), `conflict` (another connection took
 * the resource), `tls` (the certificate is not trusted), `insecure` (no TLS where natter requires it),
 * `unsupported` (no login mechanism natter accepts), `server-auth` (the server broke the login protocol
 * or could not prove that it knows the password), `refused` (a stream error that stays, such as
 * `host-unknown`: the server does not serve the JID's domain).
 *
 * @example
 * ```ts
 * if (error instanceof ConnectError && error.reason === 'network') retryLater()
 * ```
 */
export class ConnectError extends Error {
  override readonly name = 'ConnectError'
  constructor(
    readonly reason: 'auth' | 'conflict' | 'tls' | 'insecure' | 'unsupported' | 'server-auth' | 'refused' | 'network',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/**
 * A command-line usage error: an unknown flag or a stray argument. A bot run with `bot.run()`
 * prints it and exits with {@link ExitCode.Usage}.
 *
 * @example
 * ```ts
 * if (error instanceof UsageError) process.exitCode = ExitCode.Usage
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/**
 * Exit codes of a bot started with `bot.run()`.
 *
 * @example
 * ```ts
 * if (code === ExitCode.Config) console.error('check the environment')
 * ```
 */
export const ExitCode = {
  /** Clean shutdown (SIGTERM, SIGINT or `bot.stop()`). */
  Ok: 0,
  /** An unexpected internal error. */
  Software: 70,
  /**
   * The login failed: the server refused it (wrong JID or password), offers no mechanism natter
   * accepts, or could not prove that it knows the password (SCRAM server signature).
   */
  Auth: 77,
  /** TLS: the server's certificate is not trusted, or it offers no TLS where natter requires it (EX_PROTOCOL). */
  Tls: 76,
  /**
   * Missing or malformed configuration (EX_CONFIG), or a server that refuses the stream for good
   * (`host-unknown`: a typo in the JID's domain, or XMPP_SERVICE pointing at another server).
   */
  Config: 78,
  /** Command-line usage error (EX_USAGE). */
  Usage: 64,
  /** Another connection took over the bot's resource. */
  Conflict: 75,
  /** The server stayed unreachable for longer than `reconnect.giveUpAfter` (EX_UNAVAILABLE). */
  Unavailable: 69,
} as const

const FATAL_EXIT_CODES: Record<FatalReason, number> = {
  auth: ExitCode.Auth,
  conflict: ExitCode.Conflict,
  tls: ExitCode.Tls,
  unreachable: ExitCode.Unavailable,
  refused: ExitCode.Config,
  internal: ExitCode.Software,
}

/**
 * Why natter gave up on sending a stanza.
 *
 * @example
 * ```ts
 * bot.on('undelivered', ({ stanza, reason }) => { if (reason === 'queue-full') bot.log.warn({ to: stanza.attrs.to }, 'dropped') })
 * ```
 */
export type UndeliveredReason = 'queue-full' | 'expired' | 'stopped' | 'unacknowledged' | 'too-big'

/**
 * A stanza natter could not send: the bot was offline and its outbox was full, the stanza waited
 * longer than `outbox.maxAge`, the bot stopped first, the server never acknowledged it and the
 * session could not be resumed (`outbox.maxAttempts` times), or it is bigger than the server takes
 * (`XMPP_MAX_STANZA_SIZE`; nothing of it was written). `bot.send()` rejects with it, and the bot
 * emits `undelivered`.
 *
 * @example
 * ```ts
 * await bot.say('alice@example.org', 'hi').catch((e) => { if (e instanceof UndeliveredError) bot.log.warn(e.reason) })
 * ```
 */
export class UndeliveredError extends Error {
  override readonly name = 'UndeliveredError'
  constructor(readonly reason: UndeliveredReason) {
    super(`stanza not sent: ${UNDELIVERED_TEXT[reason]}`)
  }
}

const UNDELIVERED_TEXT: Record<UndeliveredReason, string> = {
  'queue-full': 'offline and the outbox is full',
  expired: 'offline for longer than the outbox keeps stanzas',
  stopped: 'the bot stopped before it could send it',
  unacknowledged: 'the server never acknowledged it and the session could not be resumed',
  'too-big': 'bigger than the server takes',
}

/**
 * The error types of RFC 6120, section 8.3.2.
 *
 * @example
 * ```ts
 * throw new StanzaError('item-not-found', 'cancel')
 * ```
 */
export type StanzaErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait'

/**
 * A stanza error (RFC 6120, section 8.3). Thrown from an IQ handler, it becomes the error reply;
 * a request that gets an error reply rejects with one.
 *
 * @example
 * ```ts
 * bot.iq({ type: 'get', xmlns: 'urn:example:secret' }, (iq) => {
 *   throw new StanzaError('forbidden', 'auth', 'admins only')
 * })
 * ```
 */
export class StanzaError extends Error {
  override readonly name = 'StanzaError'
  constructor(
    /** The defined condition, e.g. `item-not-found`. */
    readonly condition: string,
    readonly type: StanzaErrorType = 'cancel',
    /** Human-readable text sent with the error. */
    readonly text?: string,
    /** An application-specific condition sent beside the defined one, e.g. XEP-0050's `<bad-sessionid/>`. */
    readonly appCondition?: XmlElement,
  ) {
    super(text ? `${condition}: ${text}` : condition)
  }

  /**
   * Reads the `<error/>` of an error stanza (an IQ error reply, a room's error presence).
   *
   * @example
   * ```ts
   * const error = StanzaError.fromStanza(reply) // error.condition === 'item-not-found'
   * ```
   */
  static fromStanza(stanza: XmlElement): StanzaError {
    const error = stanza.getChild('error')
    const condition = error?.getChildElements().find((c) => c.getNS() === NS_STANZAS && c.name !== 'text')
    const text = error?.getChildText('text', NS_STANZAS) ?? undefined
    return new StanzaError(condition?.name ?? 'undefined-condition', (error?.attrs.type as StanzaErrorType | undefined) ?? 'cancel', text)
  }

  /** The `<error/>` element that carries this error in a reply. */
  toElement(): XmlElement {
    return xml(
      'error',
      { type: this.type },
      xml(this.condition, { xmlns: NS_STANZAS }),
      this.text !== undefined && xml('text', { xmlns: NS_STANZAS }, this.text),
      this.appCondition,
    )
  }
}
