// A network namespace of the test's own, joined to this one by a veth pair: a peer that is not on loopback, without
// sending anything to the machine's interface addresses or beyond. Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN).
import { execFile } from 'node:child_process'
import { networkInterfaces } from 'node:os'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface NetworkNamespace {
  readonly name: string
  /** This side's end of the veth pair: an address in the namespace's view that is not loopback. */
  readonly outside: string
  /** The namespace's end of the pair. */
  readonly inside: string
  /** The command prefix that runs a program inside the namespace (it execs in place). */
  readonly launcher: readonly string[]
  /** Deletes the namespace, which takes both ends of the veth pair with it. */
  remove(): Promise<void>
}

let made = 0

/**
 * Creates a namespace with a /30 from 198.18.0.0/15 (set aside for benchmarking, RFC 2544) that no interface here
 * uses yet; returns why not, as a sentence, when it cannot (no `ip`, no permission).
 */
export async function createNetworkNamespace(): Promise<NetworkNamespace | string> {
  const tag = `${process.pid % 100_000}x${++made}`
  const name = `natter-test-${tag}`
  const [outsideLink, insideLink] = [`nt${tag}o`, `nt${tag}i`]
  const used = new Set(Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((a) => a.address)))
  const block = Array.from({ length: 64 }, () => Math.floor(Math.random() * 256)).find(
    (third) => !used.has(`198.18.${third}.1`) && !used.has(`198.18.${third}.2`),
  )
  if (block === undefined) return 'no free address block in 198.18.0.0/16'
  const [outside, inside] = [`198.18.${block}.1`, `198.18.${block}.2`]
  const remove = async (): Promise<void> => {
    await run('ip', ['netns', 'delete', name]).catch(() => undefined)
    // Normally gone with the namespace; left when the setup failed before the pair was split.
    await run('ip', ['link', 'delete', outsideLink]).catch(() => undefined)
  }
  const steps = [
    ['netns', 'add', name],
    ['link', 'add', outsideLink, 'type', 'veth', 'peer', 'name', insideLink],
    ['link', 'set', insideLink, 'netns', name],
    ['address', 'add', `${outside}/30`, 'dev', outsideLink],
    ['link', 'set', outsideLink, 'up'],
    ['-n', name, 'address', 'add', `${inside}/30`, 'dev', insideLink],
    ['-n', name, 'link', 'set', insideLink, 'up'],
    ['-n', name, 'link', 'set', 'lo', 'up'],
  ]
  for (const step of steps) {
    try {
      await run('ip', step)
    } catch (error) {
      await remove()
      const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message
      return `cannot make a network namespace (ip ${step.join(' ')}: ${detail})`
    }
  }
  return { name, outside, inside, launcher: ['ip', 'netns', 'exec', name], remove }
}
