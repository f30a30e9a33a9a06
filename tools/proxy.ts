// A TCP proxy for fault injection between a bot and its server: it can reset the link, blackhole it (data
// vanishes, no FIN, no RST, as when a NAT forgets the flow), and slow it. Used by the tests and tools/recovery.ts.
import net from 'node:net'

/** Which way data stops flowing: `up` is client to server, `down` server to client. */
export type Direction = 'both' | 'up' | 'down'

export interface TcpProxy {
  /** The loopback port clients connect to. */
  readonly port: number
  /** `xmpp://127.0.0.1:<port>`, to give a bot as its service. */
  readonly service: string
  /** Links open through the proxy right now. */
  readonly links: number
  /** Resets every open link (RST to both ends); new connections go through as before. */
  reset(): void
  /**
   * Silently discards data on every open link in `direction`, and stops new connections from reaching the
   * server: they are accepted and then hear nothing. A closed end is not passed on either. Blackholed links
   * stay dead after heal(), as a forgotten flow does.
   */
  blackhole(direction?: Direction): void
  /**
   * Holds data back for `ms` each way, on open and new links, then delivers everything that piled up
   * meanwhile in one write, as a slow or congested link does.
   */
  slow(ms: number): void
  /** Resets new connections at once, as a host with nothing listening does. */
  refuse(): void
  /** New connections reach the server again, without delay; open links lose their delay. */
  heal(): void
  close(): Promise<void>
}

interface Link {
  readonly client: net.Socket
  /** None when the connection came in while blackholed. */
  readonly server: net.Socket | undefined
  /** Data in this direction is discarded. */
  deadUp: boolean
  deadDown: boolean
}

/** Starts a proxy on a free loopback port that forwards to `target`. */
export async function startProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<Link>()
  let blackholed = false
  let refusing = false
  let delayMs = 0

  const forward = (from: net.Socket, to: net.Socket, dead: () => boolean): void => {
    let held: Buffer[] = []
    const release = (): void => {
      const data = Buffer.concat(held)
      held = []
      if (!dead() && !to.destroyed) to.write(data)
    }
    from.on('data', (chunk: Buffer) => {
      if (dead()) return
      if (delayMs === 0 && held.length === 0) {
        to.write(chunk)
        return
      }
      // Held back, then written together with whatever follows within the delay: one read at the far end.
      held.push(chunk)
      if (held.length === 1) setTimeout(release, delayMs)
    })
  }

  const server = net.createServer((client) => {
    client.setNoDelay(true)
    client.on('error', () => {})
    if (refusing) {
      client.resetAndDestroy()
      return
    }
    if (blackholed) {
      // Accept, then hear nothing: a connect attempt that can only time out.
      const link: Link = { client, server: undefined, deadUp: true, deadDown: true }
      links.add(link)
      client.on('close', () => links.delete(link))
      client.on('data', () => {})
      return
    }
    const upstream = net.connect(target.port, target.host)
    upstream.setNoDelay(true)
    upstream.on('error', () => {})
    const link: Link = { client, server: upstream, deadUp: false, deadDown: false }
    links.add(link)
    forward(client, upstream, () => link.deadUp)
    forward(upstream, client, () => link.deadDown)
    // A close is passed on only while the link is alive: a blackhole swallows FIN and RST too.
    const end = (other: net.Socket, dead: () => boolean) => () => {
      if (!dead()) other.destroy()
      if (client.destroyed && upstream.destroyed) links.delete(link)
    }
    client.on(
      'close',
      end(upstream, () => link.deadUp),
    )
    upstream.on(
      'close',
      end(client, () => link.deadDown),
    )
  })
  server.on('error', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo

  return {
    port,
    service: `xmpp://127.0.0.1:${port}`,
    get links() {
      return links.size
    },
    reset() {
      for (const link of links) {
        for (const socket of [link.client, link.server]) if (socket && !socket.destroyed) socket.resetAndDestroy()
        links.delete(link)
      }
    },
    blackhole(direction = 'both') {
      blackholed = true
      for (const link of links) {
        if (direction !== 'down') link.deadUp = true
        if (direction !== 'up') link.deadDown = true
      }
    },
    slow(ms) {
      delayMs = ms
    },
    refuse() {
      refusing = true
    },
    heal() {
      blackholed = false
      refusing = false
      delayMs = 0
    },
    async close() {
      for (const link of links) {
        link.client.destroy()
        link.server?.destroy()
      }
      links.clear()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
