// Every command the docs show (README.md, the pages in docs/, ARCHITECTURE.md and CONTRIBUTING.md), in their shell
// blocks and in their text, and every one the README of a project from `natter new` shows, is run somewhere: by a
// test named here, or by .ci/run. This test lists them, and fails when a page gains a command that nothing here
// accounts for, or when a test named here is gone.
//
// The Heroku CLI cannot run here: there is no Heroku account or app, and no way to reach one. Its commands are
// listed with the tests of what they rely on: the Procfile's bot: line run as the platform runs it, DYNO as the
// resource, SIGTERM ending in a clean exit 0, settings from the environment, logs on stdout, one process per share
// of the work. Commands that name example.org accounts run in their tests against the test's own Prosody.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readme } from '../src/cli/templates/readme.js'
import { ROOT } from '../tools/bot-process.js'
import { BUILD, npmScripts } from './support/npm-script.js'

/** A test, by its file and (a part of) its title. */
interface TestRef {
  readonly file: string
  readonly test: string
}

/** A step of `.ci/run`, by a line of it. */
interface CiRef {
  readonly ci: string
}

type Coverage =
  | { readonly runBy: ReadonlyArray<TestRef | CiRef> }
  | { readonly heroku: string; readonly reliesOn: readonly TestRef[] }
  | { readonly notRun: string }

const USER_PATH = 'test/integration/user-path.test.ts'
const DEMO = 'test/cli/sandbox/demo.test.ts'
const ECHO = 'test/integration/echo.test.ts'
const ONE_OFF = 'test/integration/one-off.test.ts'
const PROCESS = 'test/integration/process.test.ts'
const FORMATION = 'test/integration/formation.test.ts'

const t = (file: string, test: string): TestRef => ({ file, test })
const ci = (line: string): CiRef => ({ ci: line })

// `natter new` runs from the packed tarball there; `npx natter new` would fetch the same package from the registry.
const NEW = t(USER_PATH, 'gets a project from the natter bin: natter new mybot')
const INSTALL = t(USER_PATH, 'installs it against the tarball and passes its npm test')
const DEV_CHAT = t(USER_PATH, 'chats with it in a terminal through npx natter dev')
const DEV_SAY = t(USER_PATH, 'runs it with npx natter dev --say hello')
const PROCFILE = t(USER_PATH, 'runs its Procfile bot: line with .env from .env.example')
const NPM_START = t(USER_PATH, 'runs npm start -- -D with that .env')
const COMMIT = t(USER_PATH, 'commits it to git as its README says')
const DEMO_SAY = t(DEMO, 'npm run demo -- --say hello prints the echo')
const DEMO_QUIT = t(DEMO, 'npm run demo: /quit at the prompt stops the bot')
const BUILD_FIRST = t('test/readme.test.ts', "npm run build is npm test's first step after the linter")
const ECHO_DEBUG = t(ECHO, 'logs every stanza with -D but never the password')
const ECHO_SIGTERM = t(ECHO, 'on SIGTERM sends unavailable presence and exits 0')
const DYNO = t('test/settings/settings.test.ts', 'defaults to DYNO plus a boot id on Heroku')
const ONE_OFF_DYNO = t(ONE_OFF, "binds the one-off dyno's name on Heroku, never the bot's resource")
const CHECK = t(ONE_OFF, 'prints the server, its features, the roster size and a ping, and exits 0')
const SAY = t(ONE_OFF, 'sends a chat message as the bot and exits 0 once the server has it')

const COVERAGE: Readonly<Record<string, Coverage>> = {
  // The user's path, in README.md and in the project's own README.
  'npx natter new mybot': { runBy: [NEW] },
  'natter new': { runBy: [NEW, t('test/cli/new-project.test.ts', 'writes the whole project into a new directory')] },
  'natter new <dir>': { runBy: [NEW] },
  'cd mybot': { runBy: [NEW] },
  'npm install': { runBy: [INSTALL] },
  'natter dev': { runBy: [DEV_CHAT, DEV_SAY] },
  'npx natter dev': { runBy: [DEV_CHAT] },
  'npx natter dev --say hello': { runBy: [DEV_SAY] },
  'cp .env.example .env': { runBy: [PROCFILE] },
  'npm start': { runBy: [NPM_START] },
  'npm start -- -D': { runBy: [NPM_START] },
  'node bot.ts': { runBy: [PROCFILE] },
  'npm test': { runBy: [ci('npm test'), INSTALL] },
  'node --test': { runBy: [INSTALL] },
  'npx natter ping': { runBy: [t(USER_PATH, 'pings its server with npx natter ping and that .env')] },
  'git init -b main && git add . && git commit -m "Echo bot"': { runBy: [COMMIT] },

  // Heroku.
  'heroku create': { heroku: 'creates the app that the git repository is pushed to', reliesOn: [COMMIT] },
  'heroku config:set JID=bot@example.org JPASSWORD=secret': {
    heroku: 'sets the settings as environment variables of every process',
    reliesOn: [t(PROCESS, 'exits 78 with one line naming JID when JID is missing'), t(ECHO, 'answers a chat message with "You said: <body>"')],
  },
  'git push heroku main': {
    heroku: 'builds the app with npm (install, then the build script if there is one) and releases it',
    reliesOn: [INSTALL, BUILD_FIRST],
  },
  'heroku ps:scale bot=1': {
    heroku: "starts a process of the Procfile's bot: type with DYNO=bot.1, and stops it with SIGTERM",
    reliesOn: [PROCFILE, DYNO, ECHO_SIGTERM],
  },
  'heroku ps:scale bot=2': {
    heroku: 'runs two processes of the bot type, with the same settings',
    reliesOn: [t(FORMATION, 'of 2 answers each message to the bare JID once')],
  },
  'heroku ps:scale web=1 bot=1': {
    heroku: "runs a process of the Procfile's web: type with PORT set, and one of its bot: type, with the same settings",
    reliesOn: [t('test/integration/web.test.ts', 'joins one formation: each chat answered once')],
  },
  'heroku ps:scale web=2 bot=3': {
    heroku: 'runs two web and three bot processes of one bot file',
    reliesOn: [t('test/integration/web.test.ts', 'joins one formation: each chat answered once'), t(FORMATION, 'of 3 answers each message once')],
  },
  'heroku ps:scale bot=3': { heroku: 'runs three processes of the bot type', reliesOn: [t(FORMATION, 'of 3 answers each message once')] },
  'heroku logs --tail': { heroku: 'shows what the processes write to stdout and stderr, line by line', reliesOn: [ECHO_DEBUG] },
  'heroku local': {
    heroku: "runs the Procfile's processes on this machine with the settings of .env",
    reliesOn: [PROCFILE, t(PROCESS, 'reads .env from the working directory without overriding set variables')],
  },
  'heroku run': { heroku: 'runs one command in a one-off dyno, DYNO=run.N', reliesOn: [ONE_OFF_DYNO] },
  'heroku run npx natter check': { heroku: 'runs natter check in a one-off dyno', reliesOn: [CHECK, ONE_OFF_DYNO] },
  'heroku run npx natter say ops@example.org "Deployed v42"': { heroku: 'runs natter say in a one-off dyno', reliesOn: [SAY, ONE_OFF_DYNO] },
  'heroku run npx natter say ops@example.org "Deployed"': { heroku: 'runs natter say in a one-off dyno', reliesOn: [SAY, ONE_OFF_DYNO] },

  // One-off commands.
  'natter check': { runBy: [CHECK] },
  'natter say': { runBy: [SAY] },
  'npx natter say team@conference.example.org "Build is green"': { runBy: [t(ONE_OFF, 'joins a room (its disco says it is one)')] },
  'git log -1 --format=%s | npx natter say ops@example.org': { runBy: [t(ONE_OFF, 'reads the text from stdin when none is given')] },
  'npx natter ping alice@example.org/phone': { runBy: [t(ONE_OFF, 'pings a JID')] },

  // natter's own development.
  'npm ci && npm run demo': { runBy: [ci('npm ci'), DEMO_SAY, DEMO_QUIT] },
  'npm ci': { runBy: [ci('npm ci')] },
  'npm run demo': { runBy: [DEMO_SAY, DEMO_QUIT] },
  'npm run demo -- --say "hello"': { runBy: [DEMO_SAY] },
  'npm run build': { runBy: [BUILD_FIRST, ci('npm test')] },
  'node dist/examples/echo.js': { runBy: [t(ECHO, 'answers a chat message with "You said: <body>"')] },
  'node dist/examples/echo.js -D': { runBy: [ECHO_DEBUG] },
  'JID=bot@example.org JPASSWORD=secret node dist/examples/echo.js -D': { runBy: [ECHO_DEBUG] },
  'npx tsc -p tsconfig.json && node dist/tools/stranger-flood.js': {
    runBy: [t('test/integration/strangers.test.ts', 'keeps a contact answered while their commands still wait, and the bot alive')],
  },
  'npm run recovery': { runBy: [t('test/tools/recovery.test.ts', 'npm run recovery -- --runs 1 measures every fault')] },
  'npm run docs': { runBy: [ci('npm run docs')] },
  'npm run docs:settings': {
    runBy: [t('test/configuration-docs.test.ts', 'shows the settings table as the code has it (npm run docs:settings rewrites it)')],
  },
  'natter --help': { runBy: [t('test/cli/help.test.ts', 'names every command and option')] },
  'npm run lint': { runBy: [ci('npm test')] },
  'npm run format': { notRun: "rewrites the files in place; npm test's first step, npm run lint, checks the same without writing" },
  // Parts of npm test, whose vitest run runs every project and every file.
  'npx vitest run --project unit': { runBy: [ci('npm test')] },
  'npx vitest run test/integration/echo.test.ts': { runBy: [ci('npm test')] },
  'npm run bench': {
    notRun: 'in the Benchmarks section, which the benchmark work owns: minutes of load and slixmpp; BENCHMARKS.md says how to run it',
  },
  'npm run bench -- --store': {
    notRun: 'minutes of load on a private Prosody and PostgreSQL; prints only, like npm run bench, and nothing in it is asserted',
  },
}

/** A command in the text: in backticks, a command word and its arguments. */
const INLINE = /`((?:npm|npx|node|heroku|git|natter|cp|cd) [^`]+)`/g

/** Each command of a Markdown text: every line of its `sh` blocks (without comments), and those in its text. */
function commandsIn(markdown: string): string[] {
  const commands = new Set<string>()
  for (const [, block = ''] of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block.split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim()
      if (command) commands.add(command)
    }
  }
  // A span may break across lines, as Markdown allows.
  for (const [, command = ''] of markdown.replace(/```[\s\S]*?```/g, '').matchAll(INLINE)) commands.add(command.replace(/\s+/g, ' '))
  return [...commands]
}

/** The pages of the docs, by path: README.md, every page in docs/ (configuration.md too, once it is there), and the two at the top. */
async function docPages(): Promise<Record<string, string>> {
  const docs = (await readdir(join(ROOT, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)
  const paths = ['README.md', ...docs.sort(), 'ARCHITECTURE.md', 'CONTRIBUTING.md']
  return Object.fromEntries(await Promise.all(paths.map(async (path) => [path, await readFile(join(ROOT, path), 'utf8')] as const)))
}

const readmes: Record<string, string> = {
  ...(await docPages()),
  "the README of natter new's project": readme('mybot'),
}

/** Test files with their titles as written, so that a title with an escaped quote is found as it reads. */
async function source(file: string): Promise<string> {
  return (await readFile(join(ROOT, file), 'utf8')).replaceAll("\\'", "'")
}

describe('the commands of the docs', () => {
  it.each(Object.entries(readmes))('%s: each is run by a test or .ci/run, or is the Heroku CLI', (_name, markdown) => {
    const commands = commandsIn(markdown)
    expect(commands.filter((command) => !(command in COVERAGE))).toEqual([])
  })

  it('finds the commands of the README and of the project from natter new, so that the lists above are read at all', () => {
    expect(commandsIn(readmes['README.md'] ?? '').length).toBeGreaterThan(5)
    expect(commandsIn(readme('mybot')).length).toBeGreaterThan(5)
  })

  it('names no command that no page shows', () => {
    const shown = new Set(Object.values(readmes).flatMap(commandsIn))
    expect(Object.keys(COVERAGE).filter((command) => !shown.has(command))).toEqual([])
  })

  it('names tests that are there', async () => {
    const refs = Object.values(COVERAGE).flatMap((coverage) => ('runBy' in coverage ? coverage.runBy : 'reliesOn' in coverage ? coverage.reliesOn : []))
    const missing: string[] = []
    for (const ref of refs) {
      if ('ci' in ref) continue
      if (!(await source(ref.file).catch(() => '')).includes(ref.test)) missing.push(`${ref.file}: ${ref.test}`)
    }
    expect(missing).toEqual([])
  })

  it('names steps that .ci/run has', async () => {
    const lines = (await readFile(join(ROOT, '.ci/run'), 'utf8')).split('\n').map((line) => line.trim())
    const steps = Object.values(COVERAGE).flatMap((coverage) => ('runBy' in coverage ? coverage.runBy : []))
    const missing = steps.flatMap((step) => ('ci' in step && !lines.some((line) => line === step.ci || line.startsWith(`${step.ci} `)) ? [step.ci] : []))
    expect(missing).toEqual([])
  })

  it("npm run build is npm test's first step after the linter, so every test run builds as the README's npm run build does", async () => {
    const scripts = await npmScripts()
    expect(scripts.build).toBe(BUILD)
    // The linter may come first: it builds nothing.
    expect(scripts.test?.replace(/^npm run lint && /, '').startsWith(`${BUILD} && `)).toBe(true)
  })
})
