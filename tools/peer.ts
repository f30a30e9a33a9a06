// The "other side" in integration tests: a plain @xmpp/client session with an inbox, not part of the library.
import { client, startSettled, within, type XmlChild, type XmlElement, type XmppClient, xml } from './xmpp-client.js'

export { type XmlElement, xml }

export interface PeerOptions {
  service: string
  /** Bare JID, e.g. `me@localhost`. */
  jid: string
  password: string
  resource?: string
}

export type StanzaPredicate = (stanza: XmlElement) => boolean

export interface Peer {
  /** Full JID of the session once online. */
  readonly jid: string
  readonly client: XmppClient
  send(stanza: XmlElement): Promise<void>
  /**
   * Resolves with the next stanza matching `pred` and removes it from the inbox; stanzas that arrived before
   * the call count too. Rejects after `ms`.
   */
  waitFor(pred: StanzaPredicate, ms?: number): Promise<XmlElement>
  /** Sends an IQ and resolves with the reply stanza, whether `result` or `error`. */
  iq(to: string, type: 'get' | 'set', child: XmlElement, ms?: number): Promise<XmlElement>
  sendPresence(attrs?: Record<string, string | undefined>, ...children: XmlChild[]): Promise<void>
  /** Stanzas received and not yet consumed by waitFor. */
  readonly inbox: readonly XmlElement[]
  close(): Promise<void>
}

const DEFAULT_WAIT_MS = 5_000
let iqCounter = 0

interface Waiter {
  pred: StanzaPredicate
  resolve(stanza: XmlElement): void
  reject(error: Error): void
  timer: NodeJS.Timeout
}

export async function connectPeer(opts: PeerOptions): Promise<Peer> {
  const [username, domain] = opts.jid.split('@')
  if (!username || !domain) throw new Error(`not a bare JID: ${opts.jid}`)
  const xmpp = client({
    service: opts.service,
    domain,
    username,
    password: opts.password,
    resource: opts.resource ?? 'peer',
  })
  // Tests decide when to reconnect; xmpp.js would otherwise retry every second forever.
  xmpp.reconnect.stop()
  const errors: Error[] = []
  // Without an error listener a socket error would kill the test process.
  xmpp.on('error', (error) => {
    errors.push(error)
  })

  const inbox: XmlElement[] = []
  const waiters: Waiter[] = []
  const settle = (waiter: Waiter, outcome: { stanza: XmlElement } | { error: Error }): void => {
    waiters.splice(waiters.indexOf(waiter), 1)
    clearTimeout(waiter.timer)
    if ('stanza' in outcome) waiter.resolve(outcome.stanza)
    else waiter.reject(outcome.error)
  }
  xmpp.on('stanza', (stanza) => {
    for (const waiter of [...waiters]) {
      let matched: boolean
      try {
        matched = waiter.pred(stanza)
      } catch (err) {
        // A throw in a stanza listener would kill the test process: fail that waitFor instead.
        settle(waiter, { error: err instanceof Error ? err : new Error(String(err)) })
        continue
      }
      if (matched) {
        settle(waiter, { stanza })
        return
      }
    }
    inbox.push(stanza)
  })

  let fullJid: string
  try {
    fullJid = (await startSettled(xmpp)).toString()
  } catch (err) {
    await within(xmpp.stop(), 1_000)
    throw err
  }

  const waitFor = async (pred: StanzaPredicate, ms = DEFAULT_WAIT_MS): Promise<XmlElement> => {
    const index = inbox.findIndex(pred)
    const queued = inbox[index]
    if (queued) {
      inbox.splice(index, 1)
      return queued
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        pred,
        resolve,
        reject,
        timer: setTimeout(() => {
          const lastError = errors.at(-1)
          const cause = lastError ? ` (last error: ${lastError.message})` : ''
          settle(waiter, { error: new Error(`${fullJid}: no matching stanza within ${ms} ms${cause}`) })
        }, ms),
      }
      waiters.push(waiter)
    })
  }

  return {
    jid: fullJid,
    client: xmpp,
    inbox,
    send: (stanza) => xmpp.send(stanza),
    waitFor,
    async iq(to, type, child, ms = DEFAULT_WAIT_MS) {
      const id = `peer-iq-${++iqCounter}`
      // Registered before sending, so a fast reply cannot slip past.
      const reply = waitFor((s) => s.is('iq') && s.attrs.id === id && (s.attrs.type === 'result' || s.attrs.type === 'error'), ms)
      try {
        await xmpp.send(xml('iq', { to, type, id }, child))
      } catch (err) {
        reply.catch(() => undefined)
        throw err
      }
      return reply
    },
    sendPresence: (attrs, ...children) => xmpp.send(xml('presence', attrs ?? null, ...children)),
    async close() {
      for (const waiter of [...waiters]) settle(waiter, { error: new Error(`${fullJid}: peer closed`) })
      await within(xmpp.stop(), 2_000)
    },
  }
}

/**
 * Joins a room as `peer` under `nick` and resolves with its own presence from the room; a room the join created
 * is configured as an instant room first, since a new room stays locked until its owner configures it.
 */
export async function joinRoom(peer: Peer, room: string, nick: string): Promise<XmlElement> {
  const NS_MUC_USER = 'http://jabber.org/protocol/muc#user'
  const hasStatus = (presence: XmlElement, code: string): boolean =>
    presence
      .getChild('x', NS_MUC_USER)
      ?.getChildren('status')
      .some((c) => c.attrs.code === code) === true
  await peer.send(xml('presence', { to: `${room}/${nick}` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })))
  const self = await peer.waitFor((s) => s.name === 'presence' && s.attrs.from === `${room}/${nick}` && hasStatus(s, '110'))
  if (hasStatus(self, '201')) {
    await peer.iq(room, 'set', xml('query', { xmlns: 'http://jabber.org/protocol/muc#owner' }, xml('x', { xmlns: 'jabber:x:data', type: 'submit' })))
  }
  return self
}
