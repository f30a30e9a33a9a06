// A small scripted XMPP server for login tests: it speaks just enough of RFC 6120 (stream, STARTTLS, SASL, bind) to
// log a client in honestly, or to lie to it the way a hostile server would, and records what the client did.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual, X509Certificate } from 'node:crypto'
import net from 'node:net'
import tls from 'node:tls'

const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl'

/** How the server answers a SCRAM login. */
export type Behaviour =
  /** Knows `password` (as SCRAM-SHA-256, SHA-1 or SHA-512 by the mechanism), checks the proof and the channel binding. */
  | { kind: 'honest'; password: string }
  /** Knows no password: takes any proof, and sends a made-up server signature with its success. */
  | { kind: 'forged-signature' }
  /** Asks for `count` PBKDF2 iterations. */
  | { kind: 'iterations'; count: number }

export interface ScriptedServerOptions {
  /** Address to listen on (default 127.0.0.1). */
  host?: string
  mechanisms: string[]
  /** Channel binding types to announce (XEP-0440). */
  channelBindingTypes?: string[]
  /** Also offer SASL2 (XEP-0388) with the same mechanisms; the server never completes it. */
  sasl2?: boolean
  /** Require STARTTLS with this key and certificate (PEM). */
  tls?: { key: string; cert: string }
  /** Speak TLS from the first byte (`xmpps://`) with the `tls` key and certificate, rather than STARTTLS. */
  directTls?: boolean
  behaviour: Behaviour
  /** Connections (numbered from 1) on which the server never answers `<auth/>`. */
  silentOn?: number[]
  /**
   * Connections (numbered from 1) that the server ends shortly after binding as ejabberd does when it stops: a
   * `system-shutdown` stream error, and the socket closed without the stream's end.
   */
  shutDownOn?: number[]
  /** What the server writes, as is, right after binding the client's resource, on every connection. */
  afterBind?: string
  /** Advertise this stanza size limit (XEP-0478) with the bind feature. */
  maxBytes?: number
  /** Answer the stream header with this stream error (`host-unknown`, ...) and close. */
  streamError?: string
}

/** One thing a client did, on its connection (numbered from 1). */
export interface ServerEvent {
  connection: number
  /**
   * `connect`, `starttls`, `auth <mechanism>`, `response`, `channel-binding <type> ok|mismatch`, `bind`,
   * `iq <type> <id>` (and the error's condition, for an error), ...
   */
  what: string
}

export interface ScriptedServer {
  /** `xmpp://<host>:<port>`. */
  readonly service: string
  readonly events: readonly ServerEvent[]
  /** The events of one connection, as their `what`. */
  on(connection: number): string[]
  close(): Promise<void>
}

/** Starts a scripted server on a free port of `host`. */
export async function startScriptedServer(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const host = options.host ?? '127.0.0.1'
  const events: ServerEvent[] = []
  const sockets = new Set<net.Socket>()
  let connections = 0
  const accept = (socket: net.Socket): void => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    new Connection(++connections, socket, options, (connection, what) => events.push({ connection, what }))
  }
  const server = options.directTls && options.tls ? tls.createServer(options.tls, accept) : net.createServer(accept)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, resolve)
  })
  const { port } = server.address() as net.AddressInfo
  return {
    service: `${options.directTls ? 'xmpps' : 'xmpp'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    events,
    on: (connection) => events.filter((e) => e.connection === connection).map((e) => e.what),
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

class Connection {
  #socket: net.Socket
  #buffer = ''
  #secure: tls.TLSSocket | undefined
  #authenticated = false
  #scram: ScramServer | undefined

  constructor(
    private readonly number: number,
    socket: net.Socket,
    private readonly options: ScriptedServerOptions,
    private readonly record: (connection: number, what: string) => void,
  ) {
    this.#socket = socket
    if (socket instanceof tls.TLSSocket) this.#secure = socket
    this.record(number, 'connect')
    this.#listen(socket)
    socket.on('error', () => {})
  }

  #listen(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString('utf8')
      for (let element = takeElement(this); element !== undefined; element = takeElement(this)) this.#handle(element)
    })
  }

  get buffer(): string {
    return this.#buffer
  }

  set buffer(rest: string) {
    this.#buffer = rest
  }

  #send(text: string): void {
    this.#socket.write(text)
  }

  #handle(element: string): void {
    if (element.startsWith('<stream:stream')) return this.#openStream()
    const name = /^<([\w:-]+)/.exec(element)?.[1] ?? ''
    if (name === 'starttls') return this.#startTls()
    if (name === 'auth') return this.#auth(attribute(element, 'mechanism'), text(element))
    if (name === 'response') return this.#response(text(element))
    if (name === 'abort') return this.record(this.number, 'abort')
    if (name === 'iq') return this.#iq(element)
    if (name === 'message') return this.record(this.number, `message ${text(/<body>[^<]*<\/body>/.exec(element)?.[0] ?? '')}`.trim())
    this.record(this.number, name)
  }

  #openStream(): void {
    const header = `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='${randomBytes(6).toString('hex')}' from='localhost' version='1.0'>`
    if (this.options.streamError) {
      this.#send(`${header}<stream:error><${this.options.streamError} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>`)
      this.#socket.end()
      return
    }
    let features: string
    if (this.options.tls && !this.#secure) {
      features = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
    } else if (!this.#authenticated) {
      const mechanisms = this.options.mechanisms.map((m) => `<mechanism>${m}</mechanism>`).join('')
      const types = this.options.channelBindingTypes
      const bindings = types
        ? `<sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'>${types.map((t) => `<channel-binding type='${t}'/>`).join('')}</sasl-channel-binding>`
        : ''
      const sasl2 = this.options.sasl2 ? `<authentication xmlns='urn:xmpp:sasl:2'>${mechanisms}</authentication>` : ''
      features = `<mechanisms xmlns='${NS_SASL}'>${mechanisms}</mechanisms>${sasl2}${bindings}`
    } else {
      const limits = this.options.maxBytes ? `<limits xmlns='urn:xmpp:stream-limits:0'><max-bytes>${this.options.maxBytes}</max-bytes></limits>` : ''
      features = `<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>${limits}`
    }
    this.#send(`${header}<stream:features>${features}</stream:features>`)
  }

  #startTls(): void {
    const { key, cert } = this.options.tls as { key: string; cert: string }
    this.record(this.number, 'starttls')
    this.#send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    this.#socket.removeAllListeners('data')
    const secure = new tls.TLSSocket(this.#socket, { isServer: true, key, cert })
    secure.on('error', () => {})
    this.#secure = secure
    this.#socket = secure
    this.#buffer = ''
    this.#listen(secure)
  }

  #auth(mechanism: string, payload: string): void {
    this.record(this.number, `auth ${mechanism}`)
    if (this.options.silentOn?.includes(this.number)) return
    const hash = /^SCRAM-SHA-(1|256|512)(-PLUS)?$/.exec(mechanism)
    if (!hash) return this.#send(`<failure xmlns='${NS_SASL}'><invalid-mechanism/></failure>`)
    this.#scram = new ScramServer(`sha${hash[1]}`, this.options.behaviour, this.#secure, this.options.tls?.cert)
    const challenge = this.#scram.first(decode(payload))
    this.#send(`<challenge xmlns='${NS_SASL}'>${encode(challenge)}</challenge>`)
  }

  #response(payload: string): void {
    this.record(this.number, 'response')
    const scram = this.#scram
    if (!scram) return
    const outcome = scram.final(decode(payload))
    for (const note of scram.notes.splice(0)) this.record(this.number, note)
    if (!outcome) return this.#send(`<failure xmlns='${NS_SASL}'><not-authorized/></failure>`)
    this.#authenticated = true
    this.#send(`<success xmlns='${NS_SASL}'>${encode(outcome)}</success>`)
  }

  #iq(element: string): void {
    const id = attribute(element, 'id')
    if (element.includes('urn:ietf:params:xml:ns:xmpp-bind')) {
      this.record(this.number, 'bind')
      this.#send(`<iq type='result' id='${id}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>bot@localhost/scripted</jid></bind></iq>`)
      if (this.options.afterBind) this.#send(this.options.afterBind)
      if (this.options.shutDownOn?.includes(this.number)) {
        setTimeout(() => {
          this.record(this.number, 'shut down')
          this.#send("<stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>")
          this.#socket.destroy()
        }, 300)
      }
      return
    }
    const type = attribute(element, 'type')
    const condition = type === 'error' ? /<([\w-]+) xmlns=['"]urn:ietf:params:xml:ns:xmpp-stanzas['"]/.exec(element)?.[1] : undefined
    this.record(this.number, ['iq', type, id, condition].filter(Boolean).join(' '))
    if (type === 'result' || type === 'error') return
    const roster = element.includes('jabber:iq:roster') ? "<query xmlns='jabber:iq:roster'/>" : ''
    this.#send(`<iq type='result' id='${id}'>${roster}</iq>`)
  }
}

/** The next complete top-level element (or stream header) in the connection's buffer, taken off it. */
function takeElement(connection: { buffer: string }): string | undefined {
  const buffer = connection.buffer.replace(/^\s+/, '').replace(/^<\?xml[^>]*\?>/, '')
  connection.buffer = buffer
  if (buffer === '') return undefined
  if (buffer.startsWith('<stream:stream') || buffer.startsWith('</stream:stream>')) {
    const end = buffer.indexOf('>')
    if (end === -1) return undefined
    connection.buffer = buffer.slice(end + 1)
    return buffer.slice(0, end + 1)
  }
  const name = /^<([\w:-]+)/.exec(buffer)?.[1]
  const open = buffer.indexOf('>')
  if (!name || open === -1) return undefined
  let end = open + 1
  if (buffer[open - 1] !== '/') {
    const close = buffer.indexOf(`</${name}>`)
    if (close === -1) return undefined
    end = close + name.length + 3
  }
  connection.buffer = buffer.slice(end)
  return buffer.slice(0, end)
}

function attribute(element: string, name: string): string {
  return new RegExp(`${name}=["']([^"']*)["']`).exec(element)?.[1] ?? ''
}

function text(element: string): string {
  return /^<[^>]*>([^<]*)</.exec(element)?.[1] ?? ''
}

const encode = (message: string): string => Buffer.from(message, 'utf8').toString('base64')
const decode = (payload: string): string => Buffer.from(payload, 'base64').toString('utf8')

/** The server side of SCRAM (RFC 5802, section 3), with channel binding checked against the server's own TLS socket. */
class ScramServer {
  readonly notes: string[] = []
  readonly #salt = randomBytes(16)
  #gs2 = ''
  #bare = ''
  #serverFirst = ''

  constructor(
    private readonly hash: string,
    private readonly behaviour: Behaviour,
    private readonly secure: tls.TLSSocket | undefined,
    private readonly cert: string | undefined,
  ) {}

  first(clientFirst: string): string {
    const match = /^((?:p=[^,]+|n|y),[^,]*,)(.*)$/.exec(clientFirst)
    this.#gs2 = match?.[1] ?? ''
    this.#bare = match?.[2] ?? ''
    this.notes.push(`gs2 ${this.#gs2}`)
    const nonce = /(?:^|,)r=([^,]+)/.exec(this.#bare)?.[1] ?? ''
    const iterations = this.behaviour.kind === 'iterations' ? this.behaviour.count : 4096
    this.#serverFirst = `r=${nonce}${randomBytes(9).toString('base64')},s=${this.#salt.toString('base64')},i=${iterations}`
    return this.#serverFirst
  }

  /** The server-final message, or undefined to refuse. */
  final(clientFinal: string): string | undefined {
    const withoutProof = clientFinal.slice(0, clientFinal.indexOf(',p='))
    const proof = Buffer.from(/,p=([^,]+)$/.exec(clientFinal)?.[1] ?? '', 'base64')
    const authMessage = `${this.#bare},${this.#serverFirst},${withoutProof}`
    const bytes = createHash(this.hash).digest().length
    if (this.behaviour.kind !== 'honest') return `v=${randomBytes(bytes).toString('base64')}`

    const type = /^p=([^,]+)/.exec(this.#gs2)?.[1]
    const binding = Buffer.from(/^c=([^,]*)/.exec(withoutProof)?.[1] ?? '', 'base64')
    if (!binding.equals(Buffer.concat([Buffer.from(this.#gs2), type ? this.#bindingData(type) : Buffer.alloc(0)]))) {
      this.notes.push(`channel-binding ${type ?? 'none'} mismatch`)
      return undefined
    }
    if (type) this.notes.push(`channel-binding ${type} ok`)
    const salted = pbkdf2Sync(this.behaviour.password, this.#salt, 4096, bytes, this.hash)
    const hmac = (key: Buffer, data: string): Buffer => createHmac(this.hash, key).update(data).digest()
    const storedKey = createHash(this.hash).update(hmac(salted, 'Client Key')).digest()
    const signature = hmac(storedKey, authMessage)
    const clientKey = Buffer.from(proof.map((b, i) => b ^ (signature[i] ?? 0)))
    if (proof.length !== bytes || !timingSafeEqual(createHash(this.hash).update(clientKey).digest(), storedKey)) {
      this.notes.push('proof bad')
      return undefined
    }
    this.notes.push('proof ok')
    return `v=${hmac(hmac(salted, 'Server Key'), authMessage).toString('base64')}`
  }

  #bindingData(type: string): Buffer {
    if (type === 'tls-exporter' && this.secure) return this.secure.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0))
    // The test certificate is signed with SHA-256.
    if (type === 'tls-server-end-point' && this.cert) return createHash('sha256').update(new X509Certificate(this.cert).raw).digest()
    return Buffer.from('no such binding')
  }
}
