import { StanzaError } from '../errors.js'
import { OncePer } from '../pacing/once-per.js'
import { settleWithin } from '../pacing/settle-within.js'
import { cutBelow, MAX_STANZA_DEPTH, nestsDeeperThan } from '../stanza-depth.js'
import type { XmlElement } from '../xml.js'
import type { ContextLink, StanzaContext } from './context/stanza-context.js'
import type { Router } from './router.js'
import type { IqAnswer, KindRegistry, Outcome, StanzaKind } from './stanza-kind.js'

/** What the inbound path needs from the bot around it. */
export interface InboundHooks {
  /** An IQ result or error: the answer to one of the bot's own requests. */
  reply(stanza: XmlElement): void
  /** A middleware or handler failed (a `StanzaError` an IQ handler throws is its answer, not a failure). */
  failed(error: unknown, ctx: StanzaContext): void
  /** A handler chain ended, after `ms`; `failed` as reported to {@link failed}. */
  finished?(kind: string, ms: number, failed: boolean): void
}

/** A fresh element each time: a reply takes the error element in as its child. */
const serviceUnavailable = (): IqAnswer => ({ error: new StanzaError('service-unavailable', 'cancel').toElement() })

/**
 * The way in: sorts each inbound stanza to its kind, makes its context, runs the handler chain, and
 * turns what the chain did with an IQ request into its answer. Keeps the running chains in view, so
 * a shutdown can wait for them.
 */
export class Inbound {
  readonly #inflight = new Set<Promise<unknown>>()
  /** Senders of stanzas refused as too deep, logged once a minute each. */
  readonly #deepLogged = new OncePer(60_000)
  /** Whether stanzas reach handlers; while false, IQ requests are answered `service-unavailable`. */
  accepting = false

  constructor(
    private readonly kinds: KindRegistry,
    private readonly router: Router,
    private readonly link: ContextLink,
    private readonly hooks: InboundHooks,
  ) {}

  /** How many handler chains are running. */
  get running(): number {
    return this.#inflight.size
  }

  /**
   * Takes one inbound stanza. Resolves IQ get/set with the answer to send. `started` gets the handler
   * chain the stanza starts, if any, for a caller that waits for this stanza's handlers alone.
   */
  receive(stanza: XmlElement, started?: (run: Promise<unknown>) => void): IqAnswer | Promise<IqAnswer> {
    const isIq = stanza.name === 'iq'
    const type = stanza.attrs.type
    const isReply = isIq && (type === 'result' || type === 'error')
    if (nestsDeeperThan(stanza, MAX_STANZA_DEPTH)) {
      this.#cut(stanza)
      // A reply still settles the bot's own request; anything else is refused, an IQ request with an error.
      if (!isReply)
        return isIq ? { error: new StanzaError('policy-violation', 'modify', `nested deeper than ${MAX_STANZA_DEPTH} levels`).toElement() } : undefined
    }
    if (isReply) {
      this.hooks.reply(stanza)
      return undefined
    }
    if (!this.accepting) return isIq ? serviceUnavailable() : undefined
    if (isIq && type !== 'get' && type !== 'set') return { error: new StanzaError('bad-request', 'modify', 'an IQ is get, set, result or error').toElement() }
    const kind = this.kinds.sort(stanza)
    if (!kind) return isIq ? serviceUnavailable() : undefined
    let ctx: StanzaContext | undefined
    try {
      ctx = kind.create(stanza, this.link)
    } catch (error) {
      if (error instanceof StanzaError) return isIq ? { error: error.toElement() } : undefined
      // A kind that cannot read a stanza must not take the bot down with it: whatever came in, it goes on.
      this.link.log.error({ err: error, kind: kind.name, from: stanza.attrs.from, id: stanza.attrs.id }, `cannot read this ${kind.name}`)
      return isIq ? { error: new StanzaError('internal-server-error', 'cancel').toElement() } : undefined
    }
    if (!ctx) return isIq ? serviceUnavailable() : undefined
    const run = this.track(this.#dispatch(kind, ctx, isIq))
    started?.(run)
    return isIq ? run : undefined
  }

  /**
   * Cuts a stanza nested too deep down to the allowed depth, in place: whatever quotes it next (an
   * error reply quotes the request's payload, a debug log the whole stanza) would otherwise recurse
   * through every level and overflow the stack.
   */
  #cut(stanza: XmlElement): void {
    cutBelow(stanza, MAX_STANZA_DEPTH)
    const from = stanza.attrs.from ?? ''
    if (this.#deepLogged.take(from)) {
      this.link.log.warn(
        { from, stanza: stanza.name, id: stanza.attrs.id },
        `cut a stanza nested deeper than ${MAX_STANZA_DEPTH} levels (not logged again for this sender for a minute)`,
      )
    }
  }

  /** Keeps a piece of work in view, so shutdown can wait for it. */
  track<T>(run: Promise<T>): Promise<T> {
    this.#inflight.add(run)
    run.finally(() => this.#inflight.delete(run)).catch(() => {})
    return run
  }

  /** Waits for the running chains, for at most `deadline` ms; false when some were still running. */
  settle(deadline: number): Promise<boolean> {
    return settleWithin(this.#inflight, deadline)
  }

  async #dispatch(kind: StanzaKind, ctx: StanzaContext, isIq: boolean): Promise<IqAnswer> {
    let outcome: Outcome
    const began = performance.now()
    let failed = false
    try {
      outcome = await this.router.dispatch(ctx)
    } catch (error) {
      // A StanzaError thrown by an IQ handler is its answer; anywhere else it is a failure to report.
      failed = !(error instanceof StanzaError && isIq)
      if (failed) this.hooks.failed(error, ctx)
      outcome = { handled: true, value: undefined, error }
    }
    this.hooks.finished?.(kind.name, performance.now() - began, failed)
    if (!isIq) return undefined
    return (kind.answer ?? defaultAnswer)(outcome)
  }
}

function defaultAnswer(outcome: Outcome): IqAnswer {
  if ('error' in outcome) {
    const error = outcome.error instanceof StanzaError ? outcome.error : new StanzaError('internal-server-error', 'cancel')
    return { error: error.toElement() }
  }
  if (!outcome.handled) return serviceUnavailable()
  return { result: isElement(outcome.value) ? outcome.value : undefined }
}

function isElement(value: unknown): value is XmlElement {
  return typeof value === 'object' && value !== null && typeof (value as XmlElement).getChildElements === 'function'
}
