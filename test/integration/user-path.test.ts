// The whole path of a new user, from the packed tarball: the `natter` bin writes a project, npm installs
// it against that tarball, its own `npm test` passes, `npx natter dev` runs it against a private Prosody
// with a chat on the terminal, and its Procfile line runs the bot with .env, which answers over the wire.
// The generated project needs Node 22.18+ (it runs .ts directly): on an older Node those steps use Node 24
// from the npm registry, or are skipped, loudly, when it cannot be had.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { ROOT } from '../../tools/bot-process.js'
import { connectPeer, xml } from '../../tools/peer.js'
import { processesMentioning } from '../support/leftovers.js'
import { type ModernNode, modernNode } from '../support/modern-node.js'
import { hasScript, inTerminal } from '../support/terminal-session.js'

const exec = promisify(execFile)
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund']
const PASSWORD = 'pw-UserPath-3141'

let tmp: string
let tarball: string
let project: string
let node: ModernNode
let prosody: Prosody | undefined

/** PATH with the modern Node first, so that npm, `npm test` and the Procfile line all run on it. */
function modernEnv(): NodeJS.ProcessEnv {
  const bin = 'path' in node ? dirname(node.path) : ''
  return { ...process.env, PATH: [bin, process.env.PATH ?? ''].filter(Boolean).join(delimiter) }
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'natter-user-path-'))
  // npm test built dist/ just before; prepack would build it again under the feet of the other test files.
  const { stdout } = await exec('npm', ['pack', ROOT, '--ignore-scripts', '--pack-destination', tmp, '--silent'])
  tarball = join(tmp, stdout.trim().split('\n').at(-1) ?? '')
  node = await modernNode()
  if ('missing' in node) process.stderr.write(`\n*** SKIPPING the generated project's npm test and Procfile run: ${node.missing}\n\n`)
}, 240_000)

afterAll(async () => {
  await prosody?.stop()
  await rm(tmp, { recursive: true, force: true })
})

describe('a new user, from the packed tarball', () => {
  it('gets a project from the natter bin: natter new mybot', { timeout: 60_000 }, async () => {
    await exec('npm', ['install', '--prefix', join(tmp, 'tool'), tarball, ...NPM_FLAGS])
    const work = join(tmp, 'work')
    await mkdir(work)
    const { stdout } = await exec(join(tmp, 'tool', 'node_modules', '.bin', 'natter'), ['new', 'mybot'], { cwd: work })
    expect(stdout).toContain('cd mybot')
    project = join(work, 'mybot')
    expect(await readdir(project)).toEqual(expect.arrayContaining(['bot.ts', 'bot.test.ts', 'Procfile', 'package.json', 'README.md', '.env.example']))
  })

  it('installs it against the tarball and passes its npm test [needs Node 22.18+]', { timeout: 90_000 }, async (ctx) => {
    if ('missing' in node) return ctx.skip(node.missing)
    // natter new, run from the tarball's install, depends on that tarball: npm install needs no registry entry.
    const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    expect(pkg.dependencies.natter).toBe(`file:${tarball}`)
    await exec('npm', ['install', ...NPM_FLAGS], { cwd: project, env: modernEnv() })
    const { stdout } = await exec('npm', ['test'], { cwd: project, env: modernEnv() })
    expect(stdout).toMatch(/pass 2\b/)
    expect(stdout).toMatch(/fail 0\b/)
  })

  it('runs it with npx natter dev --say hello: the bot answers in a private sandbox, which goes away [needs Node 22.18+]', { timeout: 60_000 }, async (ctx) => {
    if ('missing' in node) return ctx.skip(node.missing)
    // A private TMPDIR marks everything natter dev starts (Prosody, the bot) and shows what it leaves.
    const marker = await mkdtemp(join(tmp, 'dev-'))
    const { stdout } = await exec('npx', ['natter', 'dev', '--say', 'hello'], { cwd: project, env: { ...modernEnv(), TMPDIR: marker } })
    expect(stdout).toBe('You said: hello\n')
    expect(await processesMentioning(marker)).toEqual([])
    // npm on Node 22+ keeps its compile cache in TMPDIR: natter's own dirs are the ones to be gone.
    expect((await readdir(marker)).filter((name) => name !== 'node-compile-cache')).toEqual([])
  })

  it.skipIf(!hasScript())(
    'chats with it in a terminal through npx natter dev; /quit stops the bot with one SIGTERM [needs Node 22.18+]',
    { timeout: 60_000 },
    async (ctx) => {
      if ('missing' in node) return ctx.skip(node.missing)
      const result = await inTerminal('npx natter dev', {
        cwd: project,
        env: modernEnv(),
        when: /bot@localhost\/\S+ is online/,
        keys: '/quit\r',
        ms: 50_000,
      })
      expect(result.code, result.output).toBe(0)
      expect(result.output).toContain('run here as `node bot.ts -D`')
      expect(result.output).toMatch(/bot \| .*stopped/)
      expect(result.output).not.toContain('second signal')
    },
  )

  it('runs its Procfile bot: line with .env from .env.example, and the bot answers [needs Node 22.18+]', { timeout: 60_000 }, async (ctx) => {
    if ('missing' in node) return ctx.skip(node.missing)
    prosody = await startProsody({ muc: false })
    const jid = await prosody.register('mybot', PASSWORD)
    await prosody.register('alice', 'alice-pw')
    const example = await readFile(join(project, '.env.example'), 'utf8')
    await writeFile(
      join(project, '.env'),
      example
        .replace(/^JID=.*$/m, `JID=${jid}`)
        .replace(/^JPASSWORD=.*$/m, `JPASSWORD=${PASSWORD}`)
        .replace(/^# XMPP_SERVICE=.*$/m, `XMPP_SERVICE=${prosody.service}`),
    )
    const command = /^bot:\s*(.+)$/m.exec(await readFile(join(project, 'Procfile'), 'utf8'))?.[1]
    expect(command).toBe('node bot.ts')
    const bot = spawn('sh', ['-c', `exec ${command}`], { cwd: project, env: { PATH: modernEnv().PATH }, stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      await online(bot)
      await expectEcho(jid, 'hello, new bot')
      const exited = new Promise<number | null>((resolve) => bot.once('exit', (code) => resolve(code)))
      bot.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      bot.kill('SIGKILL')
    }
  })

  it('runs npm start -- -D with that .env: every stanza is logged, and the bot answers [needs Node 22.18+]', { timeout: 60_000 }, async (ctx) => {
    if ('missing' in node || !prosody) return ctx.skip('missing' in node ? node.missing : 'no .env: the Procfile step did not run')
    // Its own process group, stopped as a platform stops a dyno: SIGTERM to npm and the bot alike.
    const npm = spawn('npm', ['start', '--', '-D'], { cwd: project, env: { PATH: modernEnv().PATH }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    const pgid = npm.pid ?? 0
    try {
      const output = await online(npm)
      expect(output()).toContain('"msg":"xmpp in"')
      await expectEcho('mybot@localhost', 'hello through npm start')
      const closed = new Promise<void>((resolve) => npm.once('close', () => resolve()))
      process.kill(-pgid, 'SIGTERM')
      await closed
      expect(output()).toContain('"msg":"stopped"')
      expect(output()).not.toContain('second signal')
    } finally {
      try {
        process.kill(-pgid, 'SIGKILL')
      } catch {
        // all gone already
      }
    }
  })

  it('pings its server with npx natter ping and that .env [needs Node 22.18+]', { timeout: 60_000 }, async (ctx) => {
    if ('missing' in node || !prosody) return ctx.skip('missing' in node ? node.missing : 'no .env: the Procfile step did not run')
    const { stdout } = await exec('npx', ['natter', 'ping'], { cwd: project, env: modernEnv() })
    expect(stdout).toMatch(/^localhost: \d+\.\d ms\n$/)
  })

  it('commits it to git as its README says, on main, with .env and node_modules left out', { timeout: 60_000 }, async () => {
    const readme = await readFile(join(project, 'README.md'), 'utf8')
    const commit = /`(git init [^`]+)`/.exec(readme)?.[1]
    expect(commit).toBe('git init -b main && git add . && git commit -m "Echo bot"')
    // A machine without a git identity of its own: the commit's author comes from the environment.
    const identity = {
      GIT_AUTHOR_NAME: 'New User',
      GIT_AUTHOR_EMAIL: 'user@example.org',
      GIT_COMMITTER_NAME: 'New User',
      GIT_COMMITTER_EMAIL: 'user@example.org',
    }
    await exec('sh', ['-c', commit ?? ''], { cwd: project, env: { ...process.env, ...identity } })
    const { stdout: branch } = await exec('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: project })
    expect(branch.trim()).toBe('main')
    const { stdout: files } = await exec('git', ['ls-files'], { cwd: project })
    expect(files.split('\n').filter(Boolean).sort()).toEqual(
      ['.env.example', '.gitignore', 'Procfile', 'README.md', 'bot.test.ts', 'bot.ts', 'package-lock.json', 'package.json', 'tsconfig.json'].filter(
        (file) => file !== 'package-lock.json' || !('missing' in node),
      ),
    )
  })
})

/** Alice, a separate client, says `text` to the bot and gets the echo. */
async function expectEcho(jid: string, text: string): Promise<void> {
  if (!prosody) throw new Error('no Prosody')
  const alice = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
  try {
    await alice.send(xml('message', { to: jid, type: 'chat' }, xml('body', {}, text)))
    const reply = await alice.waitFor((s) => s.name === 'message' && s.getChildText('body') !== null)
    expect(reply.getChildText('body')).toBe(`You said: ${text}`)
  } finally {
    await alice.close()
  }
}

/**
 * Resolves once the bot logs that it is online, with what it printed so far and from then on; rejects with its
 * output if it exits first or takes over 15 s.
 */
function online(bot: ChildProcess): Promise<() => string> {
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bot was not online within 15 s:\n${output}`)), 15_000)
    const collect = (chunk: Buffer): void => {
      output += chunk.toString()
      if (/"msg":"online"/.test(output)) {
        clearTimeout(timer)
        resolve(() => output)
      }
    }
    bot.stdout?.on('data', collect)
    bot.stderr?.on('data', collect)
    bot.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the bot exited (${code}) before it was online:\n${output}`))
    })
  })
}
