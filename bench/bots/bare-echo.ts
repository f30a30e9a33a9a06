// The floor natter is measured against: the thinnest correct echo bot on bare @xmpp/client, configured from
// the same environment variables. Correct means: an error listener (without one a socket error kills the
// process), xmpp.js's endless reconnect loop stopped, and a throw-free stanza listener.
import { client, xml } from '../../tools/xmpp-client.js'

const [username, domain] = (process.env.JID ?? '').split('@')
const xmpp = client({
  service: process.env.XMPP_SERVICE ?? '',
  domain,
  username,
  password: process.env.JPASSWORD,
  resource: process.env.XMPP_RESOURCE,
})
xmpp.reconnect.stop()
xmpp.on('error', (error) => console.error(`bare-echo: ${error.message}`))
xmpp.on('disconnect', () => process.exit(1))
xmpp.on('stanza', (stanza) => {
  if (!stanza.is('message') || stanza.attrs.type !== 'chat') return
  const body = stanza.getChildText('body')
  if (body === null) return
  xmpp.send(xml('message', { to: stanza.attrs.from, type: 'chat' }, xml('body', null, `You said: ${body}`))).catch(() => {})
})
await xmpp.start()
// Available presence: the server then delivers messages sent to the bare JID, and those kept while it was away.
await xmpp.send(xml('presence'))
