/**
 * The README of a new bot project: what the bot does, and the commands to run it locally, test it,
 * deploy it to Heroku and check on it there.
 *
 * @example
 * ```ts
 * readme('mybot').startsWith('# mybot') // true
 * ```
 */
export function readme(name: string): string {
  return `# ${name}

An XMPP bot built with natter. It lets whoever asks see its presence and answers every chat message
with \`You said: <message>\`. The whole bot is [\`bot.ts\`](bot.ts); [\`bot.test.ts\`](bot.test.ts)
tests it without a server.

It needs Node.js 22.18 or newer, which runs the \`.ts\` files as they are, by stripping the types: no
build step. That allows only syntax Node can strip (no \`enum\`, no \`namespace\`, no constructor
parameter properties), and local imports name the \`.ts\` file (\`./bot.ts\`). \`npm test\` checks the
types, then runs the tests.

## On your machine

\`\`\`sh
npm install
npm test
npx natter dev          # the bot on a private XMPP server, and a chat with it in this terminal
\`\`\`

\`natter dev\` starts a throwaway Prosody XMPP server on 127.0.0.1 (on Debian or Ubuntu it installs the
\`prosody\` package first if you are root and it is missing; otherwise it tells you the command to run),
gives the bot an account there, runs the \`Procfile\`'s \`bot:\` line with \`-D\` (every stanza in and out)
and opens a chat with the bot in your terminal. Type a line, the bot answers; \`/quit\`, Ctrl-D or Ctrl-C
stops everything. \`npx natter dev --say hello\` prints the bot's answer and exits, for scripts.

With the bot's real XMPP account:

\`\`\`sh
cp .env.example .env    # then set JID and JPASSWORD: the bot's XMPP account
npm start -- -D         # -D logs every stanza in and out
\`\`\`

## On Heroku

From a git repository (\`git init -b main && git add . && git commit -m "Echo bot"\`):

\`\`\`sh
heroku create
heroku config:set JID=bot@example.org JPASSWORD=secret
git push heroku main
heroku ps:scale bot=1
heroku logs --tail
\`\`\`

The \`Procfile\` runs the bot as a \`bot\` process, with \`node bot.ts\` directly so that SIGTERM reaches
it: on every deploy and restart it finishes what it is doing and goes offline cleanly.

## Checking on it

These log in as the bot, with the same settings (and \`.env\` locally), on a session of their own that
never takes the running bot's place:

\`\`\`sh
heroku run npx natter check                      # the server, its features, the roster, a ping
heroku run npx natter say ops@example.org "Deployed"
npx natter ping                                  # locally, with .env
\`\`\`
`
}
