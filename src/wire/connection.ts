import type { UndeliveredReason } from '../errors.js'
import type { IqAnswer } from '../iq-answer.js'
import type { Logger } from '../log/logger.js'
import type { Settings } from '../settings/settings.js'
import type { XmlElement } from '../xml.js'
import { Outbox, type OutboxOptions } from './outbox.js'
import { type ReconnectOptions, Session, type SessionEvents } from './session.js'
import { Transport } from './transport.js'

/** What a connection reports to the bot that owns it. */
export interface ConnectionHooks {
  /** An inbound stanza; resolves an IQ get/set with its answer. */
  receive(stanza: XmlElement): IqAnswer | Promise<IqAnswer>
  /** natter gave up on an outbound stanza. */
  undelivered(stanza: XmlElement, reason: UndeliveredReason): void
}

/**
 * The link to the server for one account, assembled from its parts: the transport, the session that
 * keeps it up (backoff, liveness, resumption) and the outbox that holds what is sent while it is down.
 */
export class Connection {
  readonly #transport: Transport
  readonly #session: Session
  readonly #outbox: Outbox

  constructor(settings: Settings, log: Logger, options: { reconnect?: ReconnectOptions; outbox?: OutboxOptions }, hooks: ConnectionHooks) {
    const { jid } = settings
    const transport = new Transport(
      {
        service: settings.service,
        domain: jid.domain,
        tlsName: settings.tlsName,
        username: jid.local,
        password: settings.password,
        resource: settings.resource,
        component: settings.component,
        allowInsecure: settings.allowInsecure,
        channelBinding: settings.channelBinding,
        secretNames: settings.secretNames,
        maxStanzaSize: settings.maxStanzaSize,
        sendRate: settings.sendRate,
      },
      log,
      (stanza) => hooks.receive(stanza),
    )
    const liveness = { interval: settings.pingInterval * 1000, timeout: settings.pingTimeout * 1000 }
    this.#session = new Session(transport, log, jid.bare, options.reconnect, liveness)
    const outbox = new Outbox(transport, (stanza, reason) => hooks.undelivered(stanza, reason), options.outbox)
    // Messages the server never acknowledged before a lost session go out again; the rest is reported.
    transport.on('undelivered', (stanza, sentAt) => {
      if (stanza.name === 'message') outbox.retry(stanza, sentAt)
      // The bot's own presence is sent again on the next session anyway.
      else if (!(stanza.name === 'presence' && stanza.attrs.to === undefined)) hooks.undelivered(stanza, 'unacknowledged')
    })
    this.#session.on('fatal', () => outbox.close())
    this.#transport = transport
    this.#outbox = outbox
  }

  /** The full JID the server bound, once online. */
  get jid(): string {
    return this.#transport.jid
  }

  get online(): boolean {
    return this.#transport.online
  }

  get streamManagement(): boolean {
    return this.#transport.streamManagement
  }

  /** What waits to go out: in the outbox while the link is down, and in the write queue while the server reads. */
  get queues(): { outbox: number; writes: number } {
    return { outbox: this.#outbox.length, writes: this.#transport.writeQueue }
  }

  /** Sends through the outbox: in order, and kept while the link is down. */
  send(stanza: XmlElement): Promise<void> {
    return this.#outbox.send(stanza)
  }

  /** Sends what waited in the outbox while the link was down; call it once the session is ready. */
  flush(): Promise<void> {
    return this.#outbox.flush()
  }

  /** Writes straight to the link, ahead of anything the outbox holds; rejects when it is down. */
  sendNow(stanza: XmlElement): Promise<void> {
    return this.#transport.send(stanza)
  }

  on<E extends keyof SessionEvents>(event: E, listener: (...args: SessionEvents[E]) => void): void {
    this.#session.on(event, listener as never)
  }

  /** Connects, retrying with backoff; resolves once online, rejects with a `FatalError`. */
  start(): Promise<void> {
    return this.#session.start()
  }

  /** Leaves inbound stanzas unacknowledged from now on, so the server keeps them for the next session. */
  holdInbound(): void {
    this.#session.holdInbound()
  }

  /** Sends what the outbox holds, then `goodbye` (while still online), and closes the stream. */
  async close(goodbye: XmlElement): Promise<void> {
    await this.#outbox.flush()
    this.#outbox.close()
    if (this.#transport.online) await this.#transport.send(goodbye).catch(() => {})
    await this.#session.stop()
  }
}
