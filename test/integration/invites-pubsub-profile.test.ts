// Invitations, PubSub/PEP and the bot's name and avatar over the wire: an in-process bot against a real Prosody
// (pep and muc loaded), with a separate XMPP client as its contact.
import { createHash } from 'node:crypto'
import { PassThrough } from 'node:stream'
import { type Bot, type BotOptions, createBot, xml as natterXml, type PubSubEventContext } from 'natter'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { connectPeer, joinRoom, type Peer, xml } from '../../tools/peer.js'
import { pngBytes } from '../support/images.js'

const NS_PUBSUB = 'http://jabber.org/protocol/pubsub'
const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event'
const STATUS = 'urn:example:status'
const AVATAR = pngBytes(48, 48, 7)
const SHA1 = createHash('sha1').update(AVATAR).digest('hex')

let prosody: Prosody
let botJid: string
let alice: Peer
const bots: Bot[] = []

/** A started bot of `botJid` whose log lines (JSON) land in `lines`. */
async function startBot(options: BotOptions, lines: string[] = []): Promise<Bot> {
  const logs = new PassThrough()
  logs.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)))
  const bot = createBot({ jid: `${botJid}/main`, password: 'bot-pw', service: prosody.service, env: {}, formation: false, logDestination: logs, ...options })
  bot.subscription({ type: 'subscribe' }, async (req) => {
    await req.approve()
    await req.subscribeBack()
  })
  bots.push(bot)
  await bot.start({ logLevel: 'info' })
  return bot
}

async function until(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function stopAll(): Promise<void> {
  await Promise.all(bots.splice(0).map((bot) => bot.stop(1_000)))
}

beforeAll(async () => {
  prosody = await startProsody()
  botJid = await prosody.register('facebot', 'bot-pw')
  const aliceJid = await prosody.register('alice', 'alice-pw')
  alice = await connectPeer({ service: prosody.service, jid: aliceJid, password: 'alice-pw' })
  await alice.sendPresence()
  // Mutual subscription, so that alice counts as a contact and each sees the other's PEP.
  const bot = await startBot({})
  await alice.send(xml('presence', { to: botJid, type: 'subscribe' }))
  await alice.waitFor((s) => s.name === 'presence' && s.attrs.type === 'subscribe', 10_000)
  await alice.send(xml('presence', { to: botJid, type: 'subscribed' }))
  await until('alice is a mutual contact', () => bot.roster.get(aliceJid)?.subscription === 'both')
  await stopAll()
})

afterAll(async () => {
  await stopAll()
  await alice?.close()
  await prosody?.stop()
})

describe('invitations', () => {
  it("accepts a contact's direct and mediated invitations, joins, and joins again after a restart", async () => {
    const direct = 'standup@conference.localhost'
    const mediated = 'ops@conference.localhost'
    await joinRoom(alice, direct, 'alice')
    await joinRoom(alice, mediated, 'alice')
    // A room that tells its occupants who is who names the inviter by real JID; others only by nick.
    const form = xml(
      'x',
      { xmlns: 'jabber:x:data', type: 'submit' },
      xml('field', { var: 'FORM_TYPE' }, xml('value', {}, 'http://jabber.org/protocol/muc#roomconfig')),
      xml('field', { var: 'muc#roomconfig_whois' }, xml('value', {}, 'anyone')),
    )
    expect((await alice.iq(mediated, 'set', xml('query', { xmlns: 'http://jabber.org/protocol/muc#owner' }, form))).attrs.type).toBe('result')
    let bot = await startBot({ rooms: { acceptInvites: 'contacts' } })
    await alice.send(xml('message', { to: botJid }, xml('x', { xmlns: 'jabber:x:conference', jid: direct, reason: 'daily' })))
    await alice.send(xml('message', { to: mediated }, xml('x', { xmlns: 'http://jabber.org/protocol/muc#user' }, xml('invite', { to: botJid }))))
    await alice.waitFor((s) => s.name === 'presence' && s.attrs.from === `${direct}/facebot`, 10_000)
    await alice.waitFor((s) => s.name === 'presence' && s.attrs.from === `${mediated}/facebot`, 10_000)
    await until('the bot is in both rooms', () => bot.rooms.list().length === 2)
    expect(bot.rooms.list().sort()).toEqual([mediated, direct])
    await stopAll()
    await alice.waitFor((s) => s.name === 'presence' && s.attrs.from === `${direct}/facebot` && s.attrs.type === 'unavailable', 10_000)
    bot = await startBot({})
    await alice.waitFor((s) => s.name === 'presence' && s.attrs.from === `${direct}/facebot` && s.attrs.type !== 'unavailable', 10_000)
    await until('the bot is in both rooms again', () => bot.rooms.list().length === 2)
    expect(bot.rooms.list().sort()).toEqual([mediated, direct])
    await bot.invitations.forget(direct)
    await bot.invitations.forget(mediated)
    await stopAll()
  })
})

describe('PubSub and PEP', () => {
  it("delivers the bot's PEP item to a subscribed contact, and a contact's PEP item to the bot's handler", async () => {
    const events: PubSubEventContext[] = []
    const bot = await startBot({})
    bot.pubsubEvent({ node: STATUS, from: alice.jid.split('/')[0] }, (event) => {
      events.push(event)
    })
    // The bot's node exists once it first publishes; then alice subscribes to it.
    await bot.pubsub.publish(STATUS, natterXml('status', { xmlns: STATUS }, 'starting'), { id: 'current', options: { 'pubsub#access_model': 'presence' } })
    const subscribed = await alice.iq(botJid, 'set', xml('pubsub', { xmlns: NS_PUBSUB }, xml('subscribe', { node: STATUS, jid: alice.jid.split('/')[0] })))
    expect(subscribed.attrs.type).toBe('result')
    await bot.pubsub.publish(STATUS, natterXml('status', { xmlns: STATUS }, 'green'), { id: 'current' })
    const event = await alice.waitFor(
      (s) => s.name === 'message' && s.getChild('event', NS_PUBSUB_EVENT)?.getChild('items')?.getChild('item')?.getChildText('status') === 'green',
      10_000,
    )
    expect(event.attrs.from).toBe(botJid)
    expect((await bot.pubsub.items(STATUS)).map((item) => item.payload?.getText())).toEqual(['green'])

    // Alice's own PEP node, to which the bot subscribes.
    const publish = (text: string) =>
      alice.iq(
        alice.jid.split('/')[0] ?? '',
        'set',
        xml('pubsub', { xmlns: NS_PUBSUB }, xml('publish', { node: STATUS }, xml('item', { id: text }, xml('status', { xmlns: STATUS }, text)))),
      )
    expect((await publish('first')).attrs.type).toBe('result')
    await bot.pubsub.subscribe(STATUS, { service: alice.jid.split('/')[0] })
    expect((await publish('second')).attrs.type).toBe('result')
    await expect.poll(() => events.flatMap((e) => e.items.map((i) => i.payload?.getText())), { timeout: 10_000 }).toContain('second')
    await bot.pubsub.unsubscribe(STATUS, { service: alice.jid.split('/')[0] })
    await bot.pubsub.delete(STATUS)
    await expect(bot.pubsub.items(STATUS)).rejects.toThrow(/item-not-found/)
    await stopAll()
  })
})

describe("the bot's name and avatar", () => {
  it('are published as a vCard and an XEP-0084 avatar a contact fetches, and not again on the next start', async () => {
    const first: string[] = []
    await startBot({ name: 'Face Bot', avatar: AVATAR }, first)
    await expect.poll(() => first.filter((l) => /published the avatar/.test(l)).length, { timeout: 10_000 }).toBe(1)
    expect(first.some((l) => /published the vCard/.test(l))).toBe(true)

    const vcard = await alice.iq(botJid, 'get', xml('vCard', { xmlns: 'vcard-temp' }))
    expect(vcard.getChild('vCard')?.getChildText('FN')).toBe('Face Bot')
    expect(Buffer.from(vcard.getChild('vCard')?.getChild('PHOTO')?.getChildText('BINVAL') ?? '', 'base64').equals(AVATAR)).toBe(true)
    const metadata = await alice.iq(botJid, 'get', xml('pubsub', { xmlns: NS_PUBSUB }, xml('items', { node: 'urn:xmpp:avatar:metadata' })))
    const info = metadata.getChild('pubsub')?.getChild('items')?.getChild('item')?.getChild('metadata')?.getChild('info')
    expect(info?.attrs).toMatchObject({ id: SHA1, type: 'image/png', bytes: String(AVATAR.length), width: '48', height: '48' })
    const data = await alice.iq(botJid, 'get', xml('pubsub', { xmlns: NS_PUBSUB }, xml('items', { node: 'urn:xmpp:avatar:data' }, xml('item', { id: SHA1 }))))
    const base64 = data.getChild('pubsub')?.getChild('items')?.getChild('item')?.getChildText('data') ?? ''
    expect(createHash('sha1').update(Buffer.from(base64, 'base64')).digest('hex')).toBe(SHA1)
    await stopAll()

    const second: string[] = []
    await startBot({ name: 'Face Bot', avatar: AVATAR }, second)
    await expect.poll(() => second.filter((l) => /on the server is current/.test(l)).length, { timeout: 10_000 }).toBe(2)
    expect(second.filter((l) => /published/.test(l))).toEqual([])
    await stopAll()
  })
})
