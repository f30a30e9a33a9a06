import type { IqAnswer } from '../iq-answer.js'
import type { XmlElement } from '../xml.js'
import type { Queues } from './queues.js'

/** @internal Where a bot's stanzas go: the connection in production, memory in tests. */
export interface Wire {
  readonly jid: string
  readonly online: boolean
  /** Whether the server enabled stream management (XEP-0198) on this session. */
  readonly streamManagement: boolean
  /** What waits to go out: in the outbox, and in the write queue. */
  readonly queues: Queues
  send(stanza: XmlElement): Promise<void>
  /** Leaves inbound stanzas unacknowledged from now on, so the server keeps them for the next session. */
  holdInbound(): void
  /** Sends what is queued, then `goodbye` (while still online), and closes the link. */
  close(goodbye: XmlElement): Promise<void>
}

/** @internal What the test kit gets to drive a bot wired to memory. */
export interface AttachedBot {
  /** Hands the bot an inbound stanza; `started` gets the handler chain it starts, if any. */
  receive(stanza: XmlElement, started?: (run: Promise<unknown>) => void): IqAnswer | Promise<IqAnswer>
  /** Comes online as after a fresh login: the bot's presence, then the `ready` listeners. */
  online(): void
}
