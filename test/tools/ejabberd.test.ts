import { existsSync } from 'node:fs'
import net from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { portAccepts } from '../../src/cli/sandbox/servers/loopback-ports.js'
import { type Ejabberd, startEjabberd } from '../../tools/ejabberd.js'

let ejabberd: Ejabberd | undefined

afterAll(async () => {
  await ejabberd?.stop()
})

/** The first `<stream:features/>` a listener sends to a new client. */
function features(service: string): Promise<string> {
  const { hostname, port } = new URL(service)
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => {
      socket.write("<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>")
    })
    let text = ''
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      const end = text.indexOf('</stream:features>')
      if (end === -1) return
      socket.destroy()
      resolve(text.slice(text.indexOf('<stream:features>'), end))
    })
    socket.on('error', reject)
    setTimeout(() => reject(new Error(`no features from ${service}: ${text}`)), 5_000).unref()
  })
}

describe('startEjabberd', () => {
  it('runs a private server that offers SCRAM-SHA-256 and PLAIN but no SCRAM-SHA-1, one port without TLS and one requiring STARTTLS', async () => {
    ejabberd = await startEjabberd({ tls: true })
    expect(ejabberd.service).toBe(`xmpp://127.0.0.1:${ejabberd.port}`)
    expect(await ejabberd.register('someone', 'pw-someone')).toBe('someone@localhost')
    await expect(ejabberd.register('someone', 'pw-again')).rejects.toThrow('cannot register someone')

    const plain = await features(ejabberd.service)
    expect(plain).not.toContain('starttls')
    expect(plain).toContain('<mechanism>SCRAM-SHA-256</mechanism>')
    expect(plain).toContain('<mechanism>PLAIN</mechanism>')
    expect(plain).not.toContain('SCRAM-SHA-1')
    expect(await features(ejabberd.tlsService as string)).toMatch(/<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required\/><\/starttls>/)
    expect(existsSync(ejabberd.certificate as string)).toBe(true)

    const dir = ejabberd.dataDir
    await ejabberd.stop()
    expect(existsSync(dir)).toBe(false)
    expect(await portAccepts(ejabberd.port)).toBe(false)
  })
})
