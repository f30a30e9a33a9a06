import { randomUUID } from 'node:crypto'
import type { DataForm } from '../forms/data-form.js'
import type { FormValues } from '../forms/form-values.js'

/** How long a session waits for its next step (XEP-0050 leaves it to the responder). */
export const SESSION_TTL_MS = 10 * 60_000
/** Sessions held at once: past it, new ones are refused rather than memory spent on idle forms. */
export const MAX_SESSIONS = 10_000

/** A multi-stage run between two steps. */
export interface AdhocSession {
  readonly id: string
  readonly node: string
  readonly from: string
  stage: number
  /** The form each stage asked, and what it got back. */
  readonly asked: DataForm[]
  readonly answers: FormValues[]
  expires: number
}

/** What a session id stands for now. */
export type SessionLookup = { kind: 'live'; session: AdhocSession } | { kind: 'expired' } | { kind: 'unknown' }

/**
 * The ad-hoc sessions in progress, by id. An expired session is still told apart from an unknown id for a
 * while (a client gets `session-expired`, not `bad-sessionid`), then forgotten.
 */
export class Sessions {
  readonly #byId = new Map<string, AdhocSession>()
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** A new session, or undefined when too many are open. */
  open(node: string, from: string): AdhocSession | undefined {
    if (this.#byId.size >= MAX_SESSIONS) this.#forgetOld()
    if (this.#byId.size >= MAX_SESSIONS) return undefined
    const session: AdhocSession = { id: randomUUID(), node, from, stage: 0, asked: [], answers: [], expires: this.#now() + SESSION_TTL_MS }
    this.#byId.set(session.id, session)
    return session
  }

  find(id: string): SessionLookup {
    const session = this.#byId.get(id)
    if (!session) return { kind: 'unknown' }
    if (session.expires <= this.#now()) {
      this.#byId.delete(id)
      return { kind: 'expired' }
    }
    session.expires = this.#now() + SESSION_TTL_MS
    return { kind: 'live', session }
  }

  close(id: string): void {
    this.#byId.delete(id)
  }

  get size(): number {
    return this.#byId.size
  }

  /**
   * Drops sessions expired for a second TTL: long enough for a late client to hear that it expired. Only
   * when full, so that opening a session costs the same however many are open.
   */
  #forgetOld(): void {
    const horizon = this.#now() - SESSION_TTL_MS
    for (const [id, session] of this.#byId) if (session.expires <= horizon) this.#byId.delete(id)
  }
}
