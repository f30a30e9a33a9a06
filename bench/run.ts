import { readFileSync } from 'node:fs'
import path from 'node:path'
import { startProsody } from '../tools/prosody.js'
import { BOTS } from './bots.js'
import { measureCeiling } from './ceiling.js'
import { LoadClient } from './load-client.js'
import { BOT_PASSWORD, measureBot, type Rig } from './measure.js'
import { FULL, QUICK } from './settings.js'

const settings = process.argv.includes('--quick') ? QUICK : FULL
const prosody = await startProsody({ muc: false, smacksHibernation: 0 })
try {
  const serverPid = Number(readFileSync(path.join(prosody.dataDir, 'prosody.pid'), 'utf8').trim())
  const accounts = ['sink', ...Array.from({ length: settings.senders }, (_, i) => `load${i + 1}`)]
  const botAccounts = BOTS.flatMap((bot) => Array.from({ length: settings.rounds }, (_, r) => `${bot.id}${r + 1}`))
  await Promise.all([...accounts.map((a) => prosody.register(a, 'load-secret')), ...botAccounts.map((a) => prosody.register(a, BOT_PASSWORD))])
  const server = { host: prosody.host, port: prosody.port, domain: prosody.domain, password: 'load-secret', resource: 'load' }
  const sink = await LoadClient.connect({ ...server, user: 'sink' })
  const senders = await Promise.all(accounts.slice(1).map((user) => LoadClient.connect({ ...server, user })))
  const rig: Rig = { service: prosody.service, domain: prosody.domain, serverPid, senders }
  for (let r = 0; r < settings.rounds; r++) {
    console.log('ceiling', JSON.stringify(await measureCeiling(rig, sink, settings, `ceiling${r + 1}`)))
    for (const bot of BOTS) {
      console.log(bot.id, JSON.stringify(await measureBot(bot, `${bot.id}${r + 1}`, rig, settings)))
    }
  }
  await Promise.all([sink, ...senders].map((c) => c.close()))
} finally {
  await prosody.stop()
}
