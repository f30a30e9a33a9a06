import { readme } from './readme.js'

/** What the template needs to know about the project it writes. */
export interface ProjectOptions {
  /** The npm package name. */
  readonly name: string
  /** How the project depends on natter: `^0.1.0` from the registry, or `file:/path` to a checkout or tarball. */
  readonly natterSpec: string
}

/**
 * The files of a new bot project, by path: the echo bot, its test, and what running it locally and
 * on Heroku takes. Node 22.18+ runs the `.ts` files as they are (type stripping), so there is no
 * build step; `npm test` type-checks them and runs the test with node's own test runner.
 *
 * @example
 * ```ts
 * const files = echoBotProject({ name: 'mybot', natterSpec: '^0.1.0' })
 * files['Procfile'] // 'bot: node bot.ts\n'
 * ```
 */
export function echoBotProject({ name, natterSpec }: ProjectOptions): Record<string, string> {
  return {
    'package.json': `${JSON.stringify(packageJson(name, natterSpec), null, 2)}\n`,
    'bot.ts': BOT,
    'bot.test.ts': BOT_TEST,
    Procfile: 'bot: node bot.ts\n',
    '.env.example': ENV_EXAMPLE,
    '.gitignore': 'node_modules/\n.env\n*.log\n',
    'tsconfig.json': TSCONFIG,
    'README.md': readme(name),
  }
}

function packageJson(name: string, natterSpec: string): Record<string, unknown> {
  return {
    name,
    version: '0.1.0',
    private: true,
    description: 'An XMPP bot built with natter',
    type: 'module',
    engines: { node: '>=22.18' },
    scripts: { start: 'node bot.ts', test: 'tsc && node --test' },
    dependencies: { natter: natterSpec },
    devDependencies: { '@types/node': '^22.18.0', typescript: '^5.9.3' },
  }
}

const BOT = `import { createBot } from 'natter'

export const bot = createBot()

bot.subscription({ type: 'subscribe' }, (request) => request.approve())

bot.message({ type: 'chat', body: true }, (message) => message.reply(\`You said: \${message.body}\`))

// Run only when started as a program (node bot.ts), not when a test imports the bot.
if (import.meta.main) bot.run()
`

const BOT_TEST = `import assert from 'node:assert/strict'
import { test } from 'node:test'
import { testKit } from 'natter/testing'
import { bot } from './bot.ts'

// The bot against an in-memory server that plays its part: contacts, rooms, the roster.
const kit = await testKit(bot)
const alice = kit.contact('alice@example.org')

test('answers a chat message with what it was told', async () => {
  assert.deepEqual(await alice.say('hi'), ['You said: hi'])
})

test('lets whoever asks see its presence', async () => {
  const answer = await alice.subscribe()
  assert.deepEqual(
    answer.stanzas.map((stanza) => stanza.attrs.type),
    ['subscribed'],
  )
})
`

const ENV_EXAMPLE = `# Copy to .env for local runs (npm start -- -D). Variables already set in the environment win.
JID=bot@example.org
JPASSWORD=change-me
# Where to connect when the JID's domain has no DNS SRV records: xmpp://host:port or xmpps://host:port
# XMPP_SERVICE=xmpp://127.0.0.1:5222
# LOG_LEVEL=debug
`

const TSCONFIG = `{
  // Node runs the .ts files as they are, by stripping the types: this lets through only syntax it
  // can strip (no enums, namespaces or parameter properties) and imports that name the .ts file.
  "compilerOptions": {
    "target": "es2024",
    "module": "nodenext",
    "types": ["node"],
    "strict": true,
    "noEmit": true,
    "allowImportingTsExtensions": true,
    "erasableSyntaxOnly": true,
    "verbatimModuleSyntax": true,
    "skipLibCheck": true
  }
}
`
