// Integration tests need a real Prosody, a real ejabberd and PostgreSQL: on a fresh Debian machine `npm test` installs them when
// run as root, and otherwise stops at once with the one command to run, instead of failing every test one by one.

import { ensureProsody } from '../src/cli/sandbox/servers/prosody.js'
import { ensureEjabberd } from '../tools/ejabberd.js'
import { ensurePostgres } from './support/postgres.js'

export default async function setup(): Promise<void> {
  await ensureProsody({ install: true })
  await ensureEjabberd({ install: true })
  await ensurePostgres({ install: true })
}
