// Ports on the loopback interface, where every private server listens: one that is free, and whether one is served.
import net from 'node:net'

/**
 * The address private servers listen on: loopback only, so nothing outside this machine reaches them.
 *
 * @example
 * ```ts
 * const service = `xmpp://${LOOPBACK}:${port}`
 * ```
 */
export const LOOPBACK = '127.0.0.1'

/**
 * A free loopback port, none of `avoid`.
 *
 * @example
 * ```ts
 * const port = await freePort(portsInUse())
 * ```
 */
export function freePort(avoid: ReadonlySet<number>): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, LOOPBACK, () => {
      const address = server.address()
      server.close(() => {
        if (address === null || typeof address === 'string') return reject(new Error('no port assigned'))
        if (avoid.has(address.port)) return resolve(freePort(avoid))
        resolve(address.port)
      })
    })
  })
}

/**
 * Resolves true if something accepts TCP connections on the port.
 *
 * @example
 * ```ts
 * await portAccepts(prosody.port) // true while it runs
 * ```
 */
export function portAccepts(port: number, host: string = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
