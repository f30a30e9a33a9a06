// The floor the webhook relay is measured against: the thinnest correct webhook-to-chat relay on node:http and
// bare @xmpp/client. POST /notify {"to", "text"} with GitHub's X-Hub-Signature-256 (checked in constant time,
// bodies up to 1 MiB) sends the text as a chat message and answers 202; GET /healthz answers 200 once online.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { client, xml } from '../../tools/xmpp-client.js'

const LIMIT = 1024 * 1024
const secret = process.env.WEBHOOK_SECRET ?? ''
const [username, domain] = (process.env.JID ?? '').split('@')
const xmpp = client({ service: process.env.XMPP_SERVICE ?? '', domain, username, password: process.env.JPASSWORD, resource: process.env.XMPP_RESOURCE })
xmpp.reconnect.stop()
xmpp.on('error', (error) => console.error(`bare-relay: ${error.message}`))
xmpp.on('disconnect', () => process.exit(1))
let online = false

function signedBy(header: string | undefined, body: Buffer): boolean {
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(header ?? '')?.[1]
  return hex !== undefined && timingSafeEqual(Buffer.from(hex, 'hex'), createHmac('sha256', secret).update(body).digest())
}

createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') return void res.writeHead(online ? 200 : 503).end()
  if (req.method !== 'POST' || req.url !== '/notify') return void res.writeHead(404).end()
  const chunks: Buffer[] = []
  let size = 0
  req.on('data', (chunk: Buffer) => {
    size += chunk.length
    if (size > LIMIT) req.destroy()
    else chunks.push(chunk)
  })
  req.on('end', () => {
    const body = Buffer.concat(chunks)
    if (!signedBy(req.headers['x-hub-signature-256'] as string | undefined, body)) return void res.writeHead(401).end()
    let note: { to?: unknown; text?: unknown }
    try {
      note = JSON.parse(body.toString('utf8'))
    } catch {
      return void res.writeHead(400).end()
    }
    if (typeof note.to !== 'string' || typeof note.text !== 'string') return void res.writeHead(422).end()
    xmpp.send(xml('message', { to: note.to, type: 'chat' }, xml('body', null, note.text))).catch(() => {})
    res.writeHead(202).end()
  })
}).listen(Number(process.env.PORT), '127.0.0.1')

await xmpp.start()
await xmpp.send(xml('presence'))
online = true
