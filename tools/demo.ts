// `npm run demo`: a private Prosody, the echo bot started as the Procfile starts it, and a terminal chat with it.
// `npm run demo -- --say hello` sends one message and prints only the reply, for scripts and tests.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { formatLogLine } from '../src/log-format.js'
import { ensureProsody, startProsody, type Prosody } from '../src/cli/sandbox/prosody.js'
import { client, startSettled, within, xml, type XmlElement, type XmppClient } from './xmpp-client.js'

const BOT = 'bot@localhost'
const ME = 'me@localhost'
const SAY_TIMEOUT_MS = 20_000
// Until the bot's presence shows it online; also the resend interval for bots that never send one.
const RESEND_MS = 5_000
const BOT_STOP_GRACE_MS = 5_000
const BOT_LOG_LINES = 20
const USAGE = 'usage: node dist/tools/demo.js [--say <message>]'

const packageRoot = fileURLToPath(new URL('../../', import.meta.url))
const echoBot = fileURLToPath(new URL('../examples/echo.js', import.meta.url))

let prosody: Prosody | undefined
let bot: ChildProcess | undefined
let me: XmppClient | undefined
let rl: Interface | undefined
let shuttingDown: Promise<void> | undefined
// A terminal's Ctrl-C also reaches Prosody and the bot (same process group), whose exits may be seen before the
// signal itself: a signal received before the end of shutdown decides the exit code and silences those errors.
let signalled: number | undefined
const botLog: string[] = []

/** Prints a line without mangling what the user is typing at the prompt. */
function print(line: string, stream: NodeJS.WriteStream = process.stdout): void {
  if (rl && stream.isTTY) {
    clearLine(stream, 0)
    cursorTo(stream, 0)
    stream.write(line + '\n')
    rl.prompt(true)
  } else {
    stream.write(line + '\n')
  }
}

function randomPassword(): string {
  return randomBytes(12).toString('base64url')
}

function bare(jid: string | undefined): string {
  return (jid ?? '').split('/')[0] ?? ''
}

function errorCondition(stanza: XmlElement): string {
  return stanza.getChild('error')?.getChildElements()[0]?.name ?? 'unknown error'
}

function lastBotLine(): string {
  const line = botLog.at(-1)
  return line ? `; last bot output: ${line}` : ''
}

function botEnv(service: string, password: string): NodeJS.ProcessEnv {
  // A user's own JID/XMPP_* settings must not point the bot elsewhere. The bot's dotenv only fills unset
  // variables, so the ones set here win over a .env file.
  const inherited = Object.entries(process.env).filter(
    ([key]) => key !== 'JID' && key !== 'JPASSWORD' && !key.startsWith('XMPP_'),
  )
  return { ...Object.fromEntries(inherited), JID: BOT, JPASSWORD: password, XMPP_SERVICE: service }
}

function startBot(service: string, password: string, interactive: boolean): ChildProcess {
  const child = spawn(process.execPath, [echoBot, '-D'], {
    cwd: packageRoot,
    env: botEnv(service, password),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const follow = (input: NodeJS.ReadableStream, output: NodeJS.WriteStream): void => {
    createInterface({ input }).on('line', (line) => {
      if (interactive) {
        print(`bot | ${formatLogLine(line, output.isTTY === true).trimEnd()}`, output)
      } else {
        botLog.push(line)
        if (botLog.length > BOT_LOG_LINES) botLog.shift()
      }
    })
  }
  follow(child.stdout!, process.stdout)
  follow(child.stderr!, process.stderr)
  return child
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

async function stopBot(child: ChildProcess): Promise<void> {
  if (exited(child)) return
  child.kill('SIGTERM')
  if (await waitExit(child, BOT_STOP_GRACE_MS)) return
  child.kill('SIGKILL')
  await waitExit(child, BOT_STOP_GRACE_MS)
}

/** Stops everything this demo started, in reverse order, then exits. Safe to call more than once. */
function shutdown(code: number, message?: string): Promise<void> {
  // Started on the next turn, once `shuttingDown` is set: closing the prompt below emits `close`, whose
  // handler calls shutdown() again at once, and two runs would each send the bot a SIGTERM.
  shuttingDown ??= Promise.resolve().then(async () => {
    const prompt = rl
    rl = undefined
    prompt?.close()
    // Leave the half-typed prompt line, so the bot's last log lines start on their own.
    if (prompt && process.stdout.isTTY) process.stdout.write('\n')
    if (me) await within(me.stop(), 2_000)
    if (bot) await stopBot(bot)
    if (prosody) await prosody.stop()
    if (signalled === undefined && message) process.stderr.write(`${message}\n`)
    process.exit(signalled ?? code)
  })
  return shuttingDown
}

async function chat(text: string): Promise<void> {
  if (!me) throw new Error('not connected')
  await me.send(xml('message', { to: BOT, type: 'chat' }, xml('body', {}, text)))
}

interface Events {
  botOnline: Promise<void>
  reply: Promise<string>
}

/** Prints presence and messages (interactive) and exposes the two moments the --say mode waits for. */
function watch(xmpp: XmppClient, interactive: boolean): Events {
  let onBotOnline!: () => void
  let onReply!: (body: string) => void
  const events: Events = {
    botOnline: new Promise((resolve) => (onBotOnline = resolve)),
    reply: new Promise((resolve) => (onReply = resolve)),
  }
  const note = (line: string): void => {
    if (interactive) print(`* ${line}`)
  }

  xmpp.on('stanza', (stanza: XmlElement) => {
    const from = stanza.attrs.from
    if (stanza.is('presence')) {
      if (bare(from) !== BOT) return
      switch (stanza.attrs.type) {
        case undefined:
          note(`${from} is online`)
          onBotOnline()
          break
        case 'unavailable':
          note(`${from} is offline`)
          break
        case 'subscribe':
          // The bot asks to see our presence in turn: approve, as a friendly client would.
          void xmpp.send(xml('presence', { to: BOT, type: 'subscribed' })).catch(() => undefined)
          note(`${BOT} asked to see your presence: approved`)
          break
        case 'subscribed':
          note(`${BOT} accepted your subscription`)
          break
        case 'unsubscribed':
          note(`${BOT} refused or cancelled your subscription`)
          break
        case 'error':
          note(`presence error from ${from ?? BOT}: ${errorCondition(stanza)}`)
          break
      }
      return
    }
    if (!stanza.is('message')) return
    if (stanza.attrs.type === 'error') {
      note(`message to ${from ?? BOT} failed: ${errorCondition(stanza)}`)
      return
    }
    const body = stanza.getChildText('body')
    if (body === null) return
    const sender = bare(from)
    if (sender === BOT) onReply(body)
    if (interactive) print(`${sender === BOT ? 'bot' : sender}> ${body}`)
  })
  return events
}

function timeout(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), Math.max(0, ms)))
}

async function say(text: string, events: Events, botExit: Promise<string>): Promise<string> {
  const deadline = Date.now() + SAY_TIMEOUT_MS
  const failOnBotExit = botExit.then((how): never => {
    throw new Error(`the echo bot exited (${how}) before replying${lastBotLine()}`)
  })
  await Promise.race([events.botOnline, timeout(RESEND_MS), failOnBotExit])
  // Resent until a reply comes: a message sent before the bot is online waits in Prosody's offline store,
  // but a bot may drop such delayed messages.
  for (;;) {
    await chat(text)
    const body = await Promise.race([
      events.reply,
      timeout(Math.min(RESEND_MS, deadline - Date.now())),
      failOnBotExit,
    ])
    if (body !== undefined) return body
    if (Date.now() >= deadline) {
      throw new Error(`no reply from ${BOT} within ${SAY_TIMEOUT_MS / 1000} s${lastBotLine()}`)
    }
  }
}

function startChat(service: string): void {
  process.stdout.write(
    [
      '',
      `natter demo: you are ${ME}, talking to the echo bot ${BOT} on a private Prosody at ${service}.`,
      'Type a message and press Enter. /quit, Ctrl-D or Ctrl-C to leave.',
      '',
    ].join('\n') + '\n',
  )
  const prompt = createInterface({ input: process.stdin, output: process.stdout, prompt: 'me> ' })
  rl = prompt
  prompt.on('line', (line) => {
    const text = line.trim()
    if (text === '/quit') {
      void shutdown(0)
      return
    }
    if (text) {
      chat(text).catch((err: Error) => print(`! could not send: ${err.message}`, process.stderr))
    }
    prompt.prompt()
  })
  // Ctrl-C at the prompt arrives here (the terminal is in raw mode), Ctrl-D as close.
  prompt.on('SIGINT', () => void shutdown(0))
  prompt.on('close', () => void shutdown(0))
  prompt.prompt()
}

async function main(): Promise<void> {
  let text: string | undefined
  try {
    text = parseArgs({ options: { say: { type: 'string' } }, strict: true, allowPositionals: false }).values.say
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}; ${USAGE}`)
  }
  if (text !== undefined && text.trim() === '') throw new Error(`--say needs a non-empty message; ${USAGE}`)
  const interactive = text === undefined
  if (!existsSync(echoBot)) throw new Error(`${echoBot} is missing: build first with \`npm run build\``)

  await ensureProsody({ install: true })
  if (interactive) process.stdout.write('natter demo: starting a private Prosody and the echo bot...\n')
  prosody = await startProsody()
  const botPassword = randomPassword()
  const myPassword = randomPassword()
  await prosody.register('bot', botPassword)
  await prosody.register('me', myPassword)

  const child = startBot(prosody.service, botPassword, interactive)
  bot = child
  const botExit = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code}`)),
  )
  void botExit.then((how) => {
    if (interactive) void shutdown(1, `demo: the echo bot exited (${how})`)
  })

  const xmpp = client({
    service: prosody.service,
    domain: 'localhost',
    username: 'me',
    password: myPassword,
    resource: 'demo',
  })
  me = xmpp
  // This session lives exactly as long as the demo: a drop ends it instead of retrying every second.
  xmpp.reconnect.stop()
  xmpp.on('error', (err) => {
    if (!shuttingDown) void shutdown(1, `demo: connection error: ${err.message}`)
  })
  xmpp.on('disconnect', () => {
    if (!shuttingDown) void shutdown(1, 'demo: disconnected from Prosody')
  })
  const events = watch(xmpp, interactive)
  // Acknowledge roster pushes, as a client that fetched its roster must.
  xmpp.iqCallee.set('jabber:iq:roster', 'query', () => ({}))
  await startSettled(xmpp)
  // Like a real client: fetch the roster first, which also makes Prosody forward subscription approvals to us.
  await xmpp.send(xml('iq', { type: 'get', id: 'roster' }, xml('query', { xmlns: 'jabber:iq:roster' })))
  await xmpp.send(xml('presence'))
  await xmpp.send(xml('presence', { to: BOT, type: 'subscribe' }))

  if (text === undefined) {
    startChat(prosody.service)
    return
  }
  process.stdout.write(`${await say(text, events, botExit)}\n`)
  await shutdown(0)
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  process.on(signal, () => {
    signalled ??= code
    void shutdown(code)
  })
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err)
  void shutdown(1, `demo: ${message}`)
})
