import { StanzaError, UndeliveredError, type XmlElement, xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { StoreUnavailableError } from '../../../src/plugins/store/errors.js'
import { XmppBackend } from '../../../src/plugins/store/xmpp-backend.js'

describe('the store on the bot’s XMPP account', () => {
  it('fails as unavailable, for good, when the server refuses private storage', async () => {
    const backend = new XmppBackend(() => Promise.reject(new StanzaError('service-unavailable', 'cancel')))
    const read = backend.read('app', 'k')
    await expect(read).rejects.toBeInstanceOf(StoreUnavailableError)
    await expect(read).rejects.toMatchObject({ transient: false, message: 'store: the XMPP server refuses private storage (service-unavailable)' })
  })

  it('fails as unavailable for now when the server does not answer or the bot cannot send', async () => {
    const timeout = new XmppBackend(() => Promise.reject(new StanzaError('remote-server-timeout', 'wait')))
    await expect(timeout.read('app', 'k')).rejects.toMatchObject({ transient: true })
    const offline = new XmppBackend(() => Promise.reject(new UndeliveredError('expired')))
    await expect(offline.write('app', 'k', '1', undefined, 'w')).rejects.toMatchObject({ transient: true })
  })

  it('keeps each key in a record of its own, its JSON as text with format, version and writer', async () => {
    // Private storage as a server keeps it: one element per namespace.
    const kept = new Map<string, XmlElement>()
    const sent: string[] = []
    const backend = new XmppBackend(async ({ type, payload }) => {
      sent.push(payload.toString())
      const element = payload.getChildElements()[0] as XmlElement
      if (type === 'set') kept.set(element.attrs.xmlns as string, element)
      return xml(
        'iq',
        { type: 'result' },
        xml('query', { xmlns: 'jabber:iq:private' }, type === 'get' ? (kept.get(element.attrs.xmlns as string) ?? element) : undefined),
      )
    })
    expect(await backend.write('app', 'todo/alice@example.org', '["milk"]', 0, 'w1')).toBe(1)
    expect(await backend.keys('app', 'todo/')).toEqual(['todo/alice@example.org'])
    expect(sent.filter((s) => s.includes('writer="w1"'))).toEqual([
      '<query xmlns="jabber:iq:private"><natter xmlns="urn:natter:store:app:todo%2Falice%40example.org" format="1" version="1" writer="w1">["milk"]</natter></query>',
    ])
    expect(await backend.write('app', 'todo/alice@example.org', '[]', 0, 'w2')).toBe('conflict')
  })
})
