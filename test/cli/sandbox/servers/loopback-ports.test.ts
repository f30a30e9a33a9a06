import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { freePort, LOOPBACK, portAccepts } from '../../../../src/cli/sandbox/servers/loopback-ports.js'

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(port, LOOPBACK, () => resolve(server))
  })
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}

/** Says the first `count` ports it is asked about are in use, and remembers which they were. */
class BusyAtFirst extends Set<number> {
  readonly asked: number[] = []
  constructor(private readonly count: number) {
    super()
  }
  override has(port: number): boolean {
    this.asked.push(port)
    return this.asked.length <= this.count
  }
}

describe('freePort', () => {
  it('is a loopback port nothing listens on', async () => {
    const port = await freePort(new Set())
    expect(port).toBeGreaterThan(0)
    await close(await listen(port))
  })

  it('asks again while the port it was given is one to avoid', async () => {
    const avoid = new BusyAtFirst(2)
    const port = await freePort(avoid)
    expect(avoid.asked).toHaveLength(3)
    expect(port).toBe(avoid.asked[2])
  })
})

describe('portAccepts', () => {
  it('is true while something listens on the port, and false once it has closed', async () => {
    const server = await listen(0)
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    expect(await portAccepts(address.port)).toBe(true)
    await close(server)
    expect(await portAccepts(address.port)).toBe(false)
  })
})
