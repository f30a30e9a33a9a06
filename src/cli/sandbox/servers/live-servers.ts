// Every private server this process started and has not stopped yet, so that none outlives it: the exit hook and the
// signal handlers kill them all at once, and their ports are avoided when the next one picks a port.

/**
 * A server this process started and must not leave behind.
 *
 * @example
 * ```ts
 * track({ port, killSync: () => running.signal('SIGKILL') })
 * ```
 */
export interface Tracked {
  readonly port: number
  /** For the exit hook, where nothing asynchronous runs any more. */
  killSync(): void
}

const live = new Set<Tracked>()
let hooksInstalled = false
const EXIT_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

/**
 * Kills `server` when this process exits or is signalled, until untrack(); its port is avoided meanwhile.
 *
 * @example
 * ```ts
 * track(server)
 * ```
 */
export function track(server: Tracked): void {
  installHooks()
  live.add(server)
}

/**
 * Leaves `server` to its owner again: it was stopped.
 *
 * @example
 * ```ts
 * untrack(server)
 * ```
 */
export function untrack(server: Tracked): void {
  live.delete(server)
}

/**
 * Ports held by running servers of this process.
 *
 * @example
 * ```ts
 * portsInUse().has(prosody.port) // true until it is stopped
 * ```
 */
export function portsInUse(): Set<number> {
  return new Set([...live].map((server) => server.port))
}

function killAllSync(): void {
  for (const server of live) server.killSync()
  live.clear()
}

function onSignal(sig: NodeJS.Signals): void {
  // A program with its own handler owns its shutdown (and calls stop()); the exit hook is its safety net.
  if (process.listenerCount(sig) > 1) return
  killAllSync()
  for (const s of EXIT_SIGNALS) process.removeListener(s, onSignal)
  process.kill(process.pid, sig)
}

function installHooks(): void {
  if (hooksInstalled) return
  hooksInstalled = true
  process.on('exit', killAllSync)
  for (const sig of EXIT_SIGNALS) process.on(sig, onSignal)
}
