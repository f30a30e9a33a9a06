// The physical floor in Node: an echo bot with no library at all. One socket, a hand-written login (SASL PLAIN
// over loopback, which the private Prosody allows without TLS), bind and presence, then a regular expression
// that finds each chat message's sender and body in the byte stream, and one socket write per reply. No XML
// parser, no stream management, no timers. Configured from the same environment variables as the other bots.
// It counts what it answers and prints the count when it is stopped (SIGTERM), so a test can check that it
// answered every message exactly once.
import net from 'node:net'

const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl'
const NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind'
/** A whole message stanza, empty or not; messages never nest in what the server sends a plain client here. */
const MESSAGE = /<message\b([^>]*?)(?:\/>|>([\s\S]*?)<\/message>)/g
const FROM = /\bfrom=(?:'([^']*)'|"([^"]*)")/
const CHAT = /\btype=['"]chat['"]/
const BODY = /<body(?:\s[^>]*)?>([^<]*)<\/body>/

const jid = process.env.JID ?? ''
const [username = '', domain = ''] = jid.split('@')
const service = new URL(process.env.XMPP_SERVICE ?? '')
const resource = process.env.XMPP_RESOURCE ?? 'floor'
const header = `<?xml version='1.0'?><stream:stream to='${domain}' version='1.0' xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`

let answered = 0
let buffer = ''
/** What the login waits for next, or undefined once online. */
let step: { pattern: RegExp; then: (match: RegExpExecArray) => void } | undefined

const socket = net.connect({ host: service.hostname, port: Number(service.port || 5222), noDelay: true })
socket.setEncoding('utf8')

function fail(reason: string): never {
  process.stderr.write(`floor-echo: ${reason}\n`)
  process.exit(1)
}

/** Answers every complete chat message with a body in the buffer, and keeps what is left of an incomplete one. */
function echo(): void {
  MESSAGE.lastIndex = 0
  let end = 0
  for (let match = MESSAGE.exec(buffer); match; match = MESSAGE.exec(buffer)) {
    end = MESSAGE.lastIndex
    const attrs = match[1] ?? ''
    const body = match[2] === undefined ? null : BODY.exec(match[2])
    if (body === null || !CHAT.test(attrs)) continue
    const from = FROM.exec(attrs)
    if (from === null) continue
    // The body and address are copied as they came, still escaped, so no unescaping and escaping again.
    socket.write(`<message to='${from[1] ?? from[2]}' type='chat'><body>You said: ${body[1]}</body></message>`)
    answered += 1
  }
  const open = buffer.indexOf('<message', end)
  buffer = open === -1 ? '' : buffer.slice(open)
}

function read(chunk: string): void {
  buffer += chunk
  if (step === undefined) return echo()
  if (buffer.includes('<stream:error') || buffer.includes('<failure')) fail(`refused: ${buffer}`)
  const match = step.pattern.exec(buffer)
  if (match === null) return
  buffer = buffer.slice(match.index + match[0].length)
  const { then } = step
  step = undefined
  then(match)
}

function expect(pattern: RegExp, then: (match: RegExpExecArray) => void): void {
  step = { pattern, then }
}

socket.on('data', read)
socket.on('error', (error) => fail(error.message))
socket.on('close', () => fail('connection closed'))
process.once('SIGTERM', () => {
  process.stdout.write(`floor-echo: answered ${answered}\n`)
  process.exit(0)
})

socket.write(header)
expect(/<\/stream:features>/, (features) => {
  if (!features.input.includes('>PLAIN<')) fail('the server does not offer SASL PLAIN')
  const credentials = Buffer.from(`\u0000${username}\u0000${process.env.JPASSWORD ?? ''}`).toString('base64')
  socket.write(`<auth xmlns='${NS_SASL}' mechanism='PLAIN'>${credentials}</auth>`)
  expect(/<success\b[^>]*(?:\/>|>[^<]*<\/success>)/, () => {
    socket.write(header)
    expect(/<\/stream:features>/, () => {
      socket.write(`<iq type='set' id='bind'><bind xmlns='${NS_BIND}'><resource>${resource}</resource></bind></iq>`)
      expect(/<jid>[^<]*<\/jid>/, () => {
        // Available presence: the server then delivers messages sent to the bare JID, and those kept while away.
        socket.write('<presence/>')
        process.stdout.write('floor-echo: online\n')
        echo()
      })
    })
  })
})
