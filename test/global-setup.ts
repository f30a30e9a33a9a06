// Integration tests need a real Prosody and a real ejabberd: on a fresh Debian machine `npm test` installs them when
// run as root, and otherwise stops at once with the one command to run, instead of failing every test one by one.

import { ensureProsody } from '../src/cli/sandbox/servers/prosody.js'
import { ensureEjabberd } from '../tools/ejabberd.js'

export default async function setup(): Promise<void> {
  await ensureProsody({ install: true })
  await ensureEjabberd({ install: true })
}
