import type { Logger } from '../log/logger.js'

/**
 * Typed event listeners whose failures are logged, never thrown back at the emitter: a listener
 * that throws, or rejects, cannot break the bot's lifecycle.
 */
export class Listeners<M extends object> {
  readonly #byEvent = new Map<keyof M, Set<(info: never) => unknown>>()

  constructor(private readonly log: () => Logger) {}

  add<E extends keyof M>(event: E, listener: (info: M[E]) => unknown): void {
    let set = this.#byEvent.get(event)
    if (!set) this.#byEvent.set(event, (set = new Set()))
    set.add(listener as (info: never) => unknown)
  }

  emit<E extends keyof M>(event: E, info: M[E]): void {
    for (const listener of this.#byEvent.get(event) ?? []) {
      try {
        const result = (listener as (i: M[E]) => unknown)(info)
        if (result instanceof Promise) result.catch((e: unknown) => this.log().error({ err: e, event }, 'event listener failed'))
      } catch (error) {
        this.log().error({ err: error, event }, 'event listener failed')
      }
    }
  }
}
