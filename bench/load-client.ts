// The load client: a minimal XMPP client on a plain socket. It logs in with SASL PLAIN, binds, and from then on
// writes prebuilt stanza strings and picks message bodies out of the byte stream with one regular expression.
// No DOM, no middleware, no acks: its cost per message is a small fraction of the server's and the bots', so
// it never sets the pace of a benchmark (run.ts measures its CPU to show it).
import net from 'node:net'

export interface Account {
  readonly host: string
  readonly port: number
  readonly domain: string
  readonly user: string
  readonly password: string
  readonly resource: string
}

const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl'
const NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind'
const LOGIN_TIMEOUT_MS = 10_000
const BODY = /<body(?:\s[^>]*)?>([^<]*)<\/body>/g
const PONG = /<iq\b[^>]*\bid=['"](load-ping-\d+)['"]/g

/** Escapes text for XML character data and attribute values. */
function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;')
}

function unescapeXml(text: string): string {
  if (!text.includes('&')) return text
  return text.replace(/&(lt|gt|apos|quot|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', apos: "'", quot: '"', amp: '&' })[name] ?? '')
}

/** A chat message with this body, as a string ready to write; the body doubles as the stanza id. */
export function chatMessage(to: string, body: string): string {
  const text = escapeXml(body)
  return `<message to='${escapeXml(to)}' type='chat' id='${text}'><body>${text}</body></message>`
}

export class LoadClient {
  /** Called once per chunk read from the socket with the message bodies it completed, in order. */
  onBodies: (bodies: string[]) => void = () => {}
  #buffer = ''
  #online = false
  #pings = 0
  readonly #pongs = new Map<string, () => void>()
  #waiting: { pattern: RegExp; resolve: (match: RegExpExecArray) => void; reject: (error: Error) => void } | undefined
  #closed: Promise<void>

  private constructor(
    private readonly socket: net.Socket,
    readonly jid: string,
  ) {
    this.#closed = new Promise((resolve) => socket.once('close', () => resolve()))
  }

  /** Connects, logs in and binds `account.resource`; rejects on any failure or after 10 s. */
  static async connect(account: Account): Promise<LoadClient> {
    const socket = net.connect({ host: account.host, port: account.port, noDelay: true })
    socket.setEncoding('utf8')
    const client = new LoadClient(socket, `${account.user}@${account.domain}/${account.resource}`)
    socket.on('data', (chunk: string) => client.#read(chunk))
    socket.on('error', (error) => client.#fail(error))
    socket.on('close', () => client.#fail(new Error(`${client.jid}: connection closed`)))
    const timer = setTimeout(() => client.#fail(new Error(`${client.jid}: not logged in after ${LOGIN_TIMEOUT_MS} ms`)), LOGIN_TIMEOUT_MS)
    try {
      await client.#login(account)
    } catch (error) {
      socket.destroy()
      throw error
    } finally {
      clearTimeout(timer)
    }
    return client
  }

  /** Writes raw XML; resolves at once, or once the socket has drained when its buffer is full. */
  write(data: string): Promise<void> | undefined {
    if (this.socket.write(data)) return undefined
    return new Promise((resolve) => this.socket.once('drain', resolve))
  }

  /**
   * Pings the server and resolves with the answer: since the server handles one connection's stanzas in
   * order, everything written before has then been dealt with (a message stored for an offline bot, say).
   */
  ping(): Promise<void> {
    const id = `load-ping-${++this.#pings}`
    return new Promise((resolve) => {
      this.#pongs.set(id, resolve)
      void this.write(`<iq type='get' id='${id}'><ping xmlns='urn:xmpp:ping'/></iq>`)
    })
  }

  async close(): Promise<void> {
    if (!this.socket.destroyed) this.socket.end('</stream:stream>')
    const timer = setTimeout(() => this.socket.destroy(), 1_000)
    await this.#closed
    clearTimeout(timer)
  }

  async #login(account: Account): Promise<void> {
    const header = `<?xml version='1.0'?><stream:stream to='${escapeXml(account.domain)}' version='1.0' xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`
    this.socket.write(header)
    const features = await this.#expect(/<\/stream:features>/)
    if (!features.input.includes('>PLAIN<')) throw new Error(`${this.jid}: the server does not offer SASL PLAIN`)
    const credentials = Buffer.from(`\u0000${account.user}\u0000${account.password}`).toString('base64')
    this.socket.write(`<auth xmlns='${NS_SASL}' mechanism='PLAIN'>${credentials}</auth>`)
    const outcome = await this.#expect(/<(success|failure)\b[^>]*(\/>|>[\s\S]*?<\/\1>)/)
    if (outcome[1] !== 'success') throw new Error(`${this.jid}: login refused`)
    this.socket.write(header)
    await this.#expect(/<\/stream:features>/)
    this.socket.write(`<iq type='set' id='bind'><bind xmlns='${NS_BIND}'><resource>${escapeXml(account.resource)}</resource></bind></iq>`)
    const bound = await this.#expect(/<jid>([^<]*)<\/jid>|type=['"]error['"]/)
    if (bound[1] !== this.jid) throw new Error(`${this.jid}: bound ${bound[1] ?? 'nothing'} instead`)
    this.#online = true
  }

  /** Waits for `pattern` in what came in and drops everything up to the end of the match. */
  #expect(pattern: RegExp): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      this.#waiting = { pattern, resolve, reject }
      this.#read('')
    })
  }

  #read(chunk: string): void {
    this.#buffer += chunk
    if (this.#online) return this.#scanBodies()
    const waiting = this.#waiting
    if (waiting === undefined) return
    if (this.#buffer.includes('<stream:error')) return this.#fail(new Error(`${this.jid}: stream error: ${this.#buffer}`))
    const match = waiting.pattern.exec(this.#buffer)
    if (!match) return
    this.#waiting = undefined
    this.#buffer = this.#buffer.slice(match.index + match[0].length)
    waiting.resolve(match)
  }

  #scanBodies(): void {
    const buffer = this.#buffer
    const bodies: string[] = []
    BODY.lastIndex = 0
    let end = 0
    for (let match = BODY.exec(buffer); match; match = BODY.exec(buffer)) {
      bodies.push(unescapeXml(match[1] ?? ''))
      end = BODY.lastIndex
    }
    if (this.#pongs.size > 0) {
      PONG.lastIndex = 0
      for (let match = PONG.exec(buffer); match; match = PONG.exec(buffer)) {
        const id = match[1] ?? ''
        this.#pongs.get(id)?.()
        this.#pongs.delete(id)
      }
    }
    // Keep what may be a body or a tag cut off at the end of this chunk.
    const open = buffer.indexOf('<body', end)
    this.#buffer = buffer.slice(open === -1 ? Math.max(end, buffer.lastIndexOf('<')) : open)
    if (bodies.length > 0) this.onBodies(bodies)
  }

  #fail(error: Error): void {
    const waiting = this.#waiting
    this.#waiting = undefined
    waiting?.reject(error)
  }
}
