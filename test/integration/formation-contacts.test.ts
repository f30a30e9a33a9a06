// What a formation knows of its contacts, against a real Prosody: two processes of one bot each list every
// contact online (bot.contacts), whichever of them handles the contact, while each message is answered once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { type DrillSetup, type Member, prepareDrills, startCounter, startMember } from '../../tools/formation-drill.js'
import { connectPeer, type Peer, xml } from '../../tools/peer.js'
import { COUNTER_BOT } from '../../tools/state-drill.js'

const PASSWORD = 'pw-Contacts-1'

let prosody: Prosody
let setup: DrillSetup

/** The bot's account subscribes to every sender's presence, as `bot.roster` and a contact's approval would. */
async function subscribeToSenders(): Promise<void> {
  const bot = await connectPeer({ service: setup.service, jid: setup.botJid, password: PASSWORD, resource: 'setup' })
  // The server hands subscription requests and answers only to sessions that sent their presence.
  await bot.sendPresence()
  for (const sender of setup.senders) {
    const contact = await connectPeer({ service: setup.service, jid: sender, password: PASSWORD, resource: 'setup' })
    await contact.sendPresence()
    const asked = contact.waitFor((s) => s.is('presence') && s.attrs.type === 'subscribe')
    // Prosody keeps the `subscribed` to itself and sends the contact's presence: the subscription holds.
    const approved = bot.waitFor((s) => s.is('presence') && s.attrs.type === undefined && s.attrs.from?.startsWith(`${sender}/`) === true)
    await bot.send(xml('presence', { to: sender, type: 'subscribe' }))
    await asked
    await contact.send(xml('presence', { to: setup.botJid, type: 'subscribed' }))
    await Promise.all([asked, approved])
    await contact.close()
  }
  await bot.close()
}

/** Asks one process, at its full JID, whom it knows online, until it lists `wanted` (or 10 s passed). */
async function whoAt(asker: Peer, member: Member, wanted: string): Promise<string> {
  const to = await member.jid()
  let last = ''
  for (const deadline = Date.now() + 10_000; Date.now() < deadline && last !== wanted; ) {
    const reply = asker.waitFor((s) => s.is('message') && (s.getChildText('body') ?? '').startsWith('online:'))
    await asker.send(xml('message', { to, type: 'chat' }, xml('body', {}, 'who')))
    last = (await reply).getChildText('body') ?? ''
    if (last !== wanted) await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return last
}

beforeAll(async () => {
  prosody = await startProsody({ muc: false })
  setup = await prepareDrills(prosody, PASSWORD)
  await subscribeToSenders()
}, 90_000)

afterAll(async () => {
  await prosody?.stop()
})

describe('a formation of 2 on Prosody', () => {
  it('lists the same contacts online in each process, and answers each message once', { timeout: 90_000 }, async () => {
    const env = { JID: setup.botJid, JPASSWORD: PASSWORD, XMPP_SERVICE: setup.service }
    const members = [startMember(COUNTER_BOT, 'bot.1', env), startMember(COUNTER_BOT, 'bot.2', env)]
    const counter = await startCounter({
      service: setup.service,
      senders: setup.senders,
      password: PASSWORD,
      message: (n) => xml('message', { to: setup.botJid, type: 'chat' }, xml('body', {}, `count ${n}`)),
      reply: (s) => {
        const m = s.is('message') ? /^counted (\d+): \d+$/.exec(s.getChildText('body') ?? '') : null
        return m ? Number(m[1]) : undefined
      },
    })
    try {
      await Promise.all(members.map((m) => m.formed(members)))
      await Promise.all(counter.peers.map((peer) => peer.sendPresence({}, xml('show', {}, 'chat'))))
      const [asker, leaver] = counter.peers as [Peer, Peer]
      const everyone = `online: ${[...setup.senders].sort().join(', ')}`
      for (const member of members) expect(await whoAt(asker, member, everyone)).toBe(everyone)
      await leaver.sendPresence({ type: 'unavailable' })
      const rest = `online: ${setup.senders
        .filter((s) => !leaver.jid.startsWith(`${s}/`))
        .sort()
        .join(', ')}`
      for (const member of members) expect(await whoAt(asker, member, rest)).toBe(rest)
      await leaver.sendPresence()
      await counter.send(60, 10)
      await counter.settled(60)
      expect(counter.tally(60)).toEqual({ lost: [], doubled: [], tripled: [] })
    } finally {
      for (const member of members) {
        member.process.kill('SIGTERM')
        await member.process.exited
      }
      await Promise.all(counter.peers.map((peer) => peer.close()))
    }
  })
})
