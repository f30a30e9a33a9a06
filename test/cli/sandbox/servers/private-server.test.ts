import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PrivateServer, Running, type Startup } from '../../../../src/cli/sandbox/servers/private-server.js'

/** Whether the process runs (a zombie does not), read as Running reads it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** Waits until `done` holds; false if it still does not after 10 s. */
async function eventually(done: () => boolean): Promise<boolean> {
  for (let waited = 0; waited < 10_000; waited += 10) {
    if (done()) return true
    await sleep(10)
  }
  return done()
}

/** A stand-in server: a shell script that writes its log and stays. */
class Script extends PrivateServer {
  readonly port = 0

  get pid(): number | undefined {
    return this.running?.pid
  }

  launch(script: string, startup: Partial<Startup> = {}): Promise<'ok' | 'busy'> {
    return this.launchProcess({
      name: 'script',
      command: '/bin/sh',
      args: ['-c', script],
      log: join(this.dataDir, 'script.log'),
      output: join(this.dataDir, 'script.out'),
      busy: 'port taken',
      ready: async (log) => log.includes('serving'),
      awaits: 'its port',
      timeoutMs: 10_000,
      pollMs: 5,
      ...startup,
    })
  }
}

let dir: string
const pids: number[] = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'natter-private-server-'))
})
afterEach(async () => {
  for (const pid of pids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL')
  await rm(dir, { recursive: true, force: true })
})

async function launched(server: Script, script: string, startup: Partial<Startup> = {}): Promise<'ok' | 'busy'> {
  const outcome = server.launch(script, startup)
  const pid = server.pid
  if (pid !== undefined) pids.push(pid)
  return outcome
}

describe('PrivateServer', () => {
  it('launches once the log says it serves; stop() ends it and removes its dir, once however often it is called', async () => {
    const server = new Script(dir)
    expect(await launched(server, 'echo serving > script.log; exec sleep 60')).toBe('ok')
    const pid = server.pid ?? 0
    expect(alive(pid)).toBe(true)
    const stopping = server.stop()
    expect(server.stop()).toBe(stopping)
    await stopping
    expect(alive(pid)).toBe(false)
    expect(existsSync(dir)).toBe(false)
  })

  it("is 'busy', and stopped again, when the log says another process holds its port", async () => {
    const server = new Script(dir)
    expect(await launched(server, 'echo port taken > script.log; exec sleep 60')).toBe('busy')
    expect(pids.some(alive)).toBe(false)
    expect(server.pid).toBeUndefined()
  })

  it('rejects with the last lines of its output when it exits during startup', async () => {
    const server = new Script(dir)
    await expect(launched(server, 'echo one; echo bad config >&2; exit 78')).rejects.toThrow(
      /^script exited during startup \(code (78|\?)\): one \| bad config$/,
    )
  })

  it('stops it and rejects when it does not serve in time', async () => {
    const server = new Script(dir)
    await expect(launched(server, 'exec sleep 60', { timeoutMs: 100 })).rejects.toThrow('script did not open its port within 100 ms')
    expect(pids.some(alive)).toBe(false)
  })

  it('keeps its dir on kill(), and removes it on killSync()', async () => {
    const server = new Script(dir)
    await launched(server, 'echo serving > script.log; exec sleep 60')
    await server.kill()
    expect(pids.some(alive)).toBe(false)
    expect(existsSync(join(dir, 'script.log'))).toBe(true)
    await launched(server, 'echo serving >> script.log; exec sleep 60')
    server.killSync()
    expect(await eventually(() => !pids.some(alive))).toBe(true)
    expect(existsSync(dir)).toBe(false)
  })
})

describe('Running', () => {
  it('follows an ignored SIGTERM with SIGKILL', async () => {
    const child = spawn('/bin/sh', ['-c', "trap '' TERM; echo ready; exec sleep 60"], { stdio: ['ignore', 'pipe', 'ignore'] })
    if (child.pid !== undefined) pids.push(child.pid)
    await new Promise((resolve) => child.stdout?.once('data', resolve))
    const running = new Running(child, dir)
    await running.terminate(100)
    expect(running.gone()).toBe(true)
    // Gone may mean a zombie that Node has not reaped yet; the signal is known once it has.
    if (child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve))
    expect(child.signalCode).toBe('SIGKILL')
  })

  it('has its watchdog kill the server and remove its dir when the process that started it dies without cleaning up', async () => {
    // The owner runs the built module: a process of its own, so that it can die by SIGKILL.
    const module = fileURLToPath(new URL('../../../../dist/src/cli/sandbox/servers/private-server.js', import.meta.url))
    const owner = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { spawn } from 'node:child_process'
         import { Running } from ${JSON.stringify(module)}
         const server = spawn('sleep', ['60'], { stdio: 'ignore' })
         new Running(server, process.argv[1])
         console.log(server.pid)
         setTimeout(() => process.kill(process.pid, 'SIGKILL'), 50)`,
        dir,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    owner.stdout.setEncoding('utf8')
    const pid = Number(await new Promise<string>((resolve) => owner.stdout.once('data', resolve)))
    pids.push(pid)
    await new Promise((resolve) => owner.once('exit', resolve))
    expect(owner.signalCode).toBe('SIGKILL')
    expect(await eventually(() => !alive(pid) && !existsSync(dir))).toBe(true)
  })
})
