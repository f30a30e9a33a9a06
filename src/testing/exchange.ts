import { AsyncLocalStorage } from 'node:async_hooks'
import type { XmlElement } from '../xml.js'

/** The exchange whose work is running now, followed through promises and timers. */
const current = new AsyncLocalStorage<Exchange>()

/**
 * What one stanza handed to a bot caused: the stanzas its handlers sent, and the test server's
 * answers to those. Kept per stanza, so that two conversations running at once never mix.
 */
export class Exchange {
  readonly #sent: XmlElement[] = []
  readonly #followUps = new Set<Promise<unknown>>()
  #open = true

  /** The exchange of the work running now, if any. */
  static current(): Exchange | undefined {
    return current.getStore()
  }

  /** Runs `work` as part of this exchange: what it sends, and what that causes, belongs here. */
  run<T>(work: () => T): T {
    return current.run(this, work)
  }

  /** Notes a stanza the bot sent while working on this exchange. */
  record(stanza: XmlElement): void {
    if (this.#open) this.#sent.push(stanza)
  }

  /** Notes work that answers what this exchange sent (the test server's replies), to be waited for too. */
  follow(work: Promise<unknown>): void {
    this.#followUps.add(work)
    work.finally(() => this.#followUps.delete(work)).catch(() => {})
  }

  /**
   * Waits for the handler chain the stanza started (if any) and for the answers to what it sent,
   * then closes: what is sent later (a timer's work) no longer counts. Resolves with what was sent.
   */
  async close(run: Promise<unknown> | undefined): Promise<XmlElement[]> {
    await run?.catch(() => {})
    while (this.#followUps.size > 0) await Promise.allSettled([...this.#followUps])
    this.#open = false
    return this.#sent
  }
}
