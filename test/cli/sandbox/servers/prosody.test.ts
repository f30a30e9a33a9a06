import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { portAccepts } from '../../../../src/cli/sandbox/servers/loopback-ports.js'
import { type Prosody, startProsody } from '../../../../src/cli/sandbox/servers/prosody.js'
import { connectPeer, type Peer, xml } from '../../../../tools/peer.js'

const started: Prosody[] = []
const peers: Peer[] = []

async function start(): Promise<Prosody> {
  const prosody = await startProsody()
  started.push(prosody)
  return prosody
}

afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.close()))
  await Promise.all(started.splice(0).map((prosody) => prosody.stop()))
})

describe('startProsody', () => {
  it('relays a message between two registered users, and stop() removes everything', async () => {
    const prosody = await start()
    expect(prosody.service).toBe(`xmpp://127.0.0.1:${prosody.port}`)
    const alicePassword = randomBytes(9).toString('base64url')
    const bobPassword = randomBytes(9).toString('base64url')
    expect(await prosody.register('alice', alicePassword)).toBe('alice@localhost')
    expect(await prosody.register('bob', bobPassword)).toBe('bob@localhost')

    // Each login costs ~1 s of SCRAM hashing in xmpp.js, so both run at once.
    const [alice, bob] = await Promise.all([
      connectPeer({ service: prosody.service, jid: 'alice@localhost', password: alicePassword }),
      connectPeer({ service: prosody.service, jid: 'bob@localhost', password: bobPassword }),
    ])
    peers.push(alice, bob)
    expect(bob.jid).toBe('bob@localhost/peer')
    // Messages to a bare JID only reach resources that are available.
    await bob.sendPresence()
    await bob.waitFor((s) => s.is('presence') && s.attrs.from === bob.jid)

    await alice.send(xml('message', { to: 'bob@localhost', type: 'chat' }, xml('body', {}, 'hi bob')))
    const message = await bob.waitFor((s) => s.is('message') && s.getChildText('body') !== null)
    expect(message.getChildText('body')).toBe('hi bob')
    expect(message.attrs.from).toBe(alice.jid)

    const version = await alice.iq('localhost', 'get', xml('query', { xmlns: 'jabber:iq:version' }))
    expect(version.attrs.type).toBe('result')
    expect(version.getChild('query', 'jabber:iq:version')?.getChildText('name')).toBe('Prosody')

    await Promise.all(peers.splice(0).map((peer) => peer.close()))
    await prosody.stop()
    expect(existsSync(prosody.dataDir)).toBe(false)
    expect(await portAccepts(prosody.port)).toBe(false)
    await prosody.stop()
  })

  it('gives each instance its own port and data dir', async () => {
    const [a, b] = await Promise.all([start(), start()])
    expect(a.port).not.toBe(b.port)
    expect(a.dataDir).not.toBe(b.dataDir)
    expect(await portAccepts(a.port)).toBe(true)
    expect(await portAccepts(b.port)).toBe(true)
  })

  it('comes back on the same port after kill() and restart()', async () => {
    const prosody = await start()
    await prosody.register('carol', 'secret')
    await prosody.kill()
    expect(await portAccepts(prosody.port)).toBe(false)
    await prosody.restart()
    const carol = await connectPeer({ service: prosody.service, jid: 'carol@localhost', password: 'secret' })
    peers.push(carol)
    expect(carol.jid).toBe('carol@localhost/peer')
  })

  it('says so when the port it was given is held by another process', async () => {
    const holder = net.createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    const address = holder.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    try {
      await expect(startProsody({ port: address.port })).rejects.toThrow(`prosody could not listen on 127.0.0.1:${address.port}`)
    } finally {
      holder.close()
    }
  })

  it('rejects a wrong password without hanging', async () => {
    const prosody = await start()
    await prosody.register('dave', 'right')
    await expect(connectPeer({ service: prosody.service, jid: 'dave@localhost', password: 'wrong' })).rejects.toThrow()
  })
})
