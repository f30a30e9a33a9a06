// Integration tests need a real Prosody: on a fresh Debian machine `npm test` installs it when run as root, and
// otherwise stops at once with the one command to run, instead of failing every test one by one.
import { ensureProsody } from '../src/cli/sandbox/prosody.js'

export default async function setup(): Promise<void> {
  await ensureProsody({ install: true })
}
