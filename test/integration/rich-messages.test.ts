// Rich messages and files over the wire: an in-process bot against a real Prosody with its HTTP upload service,
// driven by a separate XMPP client that fetches what the bot shares over HTTP.
import { randomBytes } from 'node:crypto'
import { type Bot, createBot, FileUploadError } from 'natter'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Prosody, startProsody } from '../../src/cli/sandbox/servers/prosody.js'
import { connectPeer, type Peer, xml } from '../../tools/peer.js'

const NS_REACTIONS = 'urn:xmpp:reactions:0'

let prosody: Prosody
let bot: Bot
let alice: Peer
let botFull: string
const added: string[] = []
const reactions: Array<{ id: string; emojis: readonly string[] }> = []

beforeAll(async () => {
  prosody = await startProsody({ muc: false, httpUpload: true })
  const botJid = await prosody.register('richbot', 'rich-pw')
  await prosody.register('alice', 'alice-pw')
  bot = createBot({ jid: botJid, password: 'rich-pw', service: prosody.service, env: {}, logLevel: 'silent' })
  bot.command('add <item...>', 'Adds an item', (cmd) => {
    added.push(cmd.args.item)
    return cmd.reply(`added ${cmd.args.item}`, { quote: true })
  })
  bot.message({ reaction: true }, (msg) => {
    reactions.push(msg.reaction)
    return msg.reply('thanks for the reaction')
  })
  await bot.start()
  botFull = bot.jid
  alice = await connectPeer({ service: prosody.service, jid: 'alice@localhost', password: 'alice-pw' })
  await alice.sendPresence()
})

afterAll(async () => {
  await bot?.stop()
  await alice?.close()
  await prosody?.stop()
})

const textFromBot = (text: string) => (s: { name: string; getChildText(n: string): string | null }) => s.name === 'message' && s.getChildText('body') === text

describe('rich messages against Prosody', () => {
  it('answers a command with a quoting reply (XEP-0461)', async () => {
    await alice.send(xml('message', { to: botFull, type: 'chat', id: 'cmd-1' }, xml('body', {}, 'add milk')))
    const answer = await alice.waitFor(textFromBot('> add milk\nadded milk'))
    expect(answer.getChild('reply', 'urn:xmpp:reply:0')?.attrs).toMatchObject({ id: 'cmd-1', to: alice.jid })
    expect(answer.getChild('fallback', 'urn:xmpp:fallback:0')?.getChild('body')?.attrs).toEqual({ start: '0', end: '11' })
  })

  it('does not run a corrected command again', async () => {
    await alice.send(xml('message', { to: botFull, type: 'chat', id: 'cmd-2' }, xml('body', {}, 'add mlik')))
    await alice.waitFor(textFromBot('> add mlik\nadded mlik'))
    await alice.send(
      xml(
        'message',
        { to: botFull, type: 'chat', id: 'cmd-3' },
        xml('body', {}, 'add milk!'),
        xml('replace', { xmlns: 'urn:xmpp:message-correct:0', id: 'cmd-2' }),
      ),
    )
    // A command after the correction is answered: had the correction run, its answer would have come first.
    await alice.send(xml('message', { to: botFull, type: 'chat', id: 'cmd-4' }, xml('body', {}, 'add tea')))
    const next = await alice.waitFor((s) => s.name === 'message' && s.getChildText('body') !== null)
    expect(next.getChildText('body')).toBe('> add tea\nadded tea')
    expect(added).toEqual(['milk', 'mlik', 'tea'])
  })

  it('hands a reaction to the reaction handler', async () => {
    await alice.send(xml('message', { to: botFull, type: 'chat', id: 'cmd-5' }, xml('body', {}, 'add jam')))
    const answer = await alice.waitFor(textFromBot('> add jam\nadded jam'))
    expect(answer.attrs.id).toBeDefined()
    await alice.send(
      xml('message', { to: botFull, type: 'chat', id: 'r-1' }, xml('reactions', { xmlns: NS_REACTIONS, id: answer.attrs.id }, xml('reaction', {}, '👍'))),
    )
    await alice.waitFor(textFromBot('thanks for the reaction'))
    expect(reactions).toEqual([{ id: answer.attrs.id, emojis: ['👍'] }])
  })

  it("shares a file through the server's upload service, which a contact fetches over HTTP", async () => {
    const bytes = randomBytes(50_000)
    const url = await bot.sendFile('alice@localhost', bytes, { name: 'noise.bin' })
    const message = await alice.waitFor((s) => s.name === 'message' && s.getChild('x', 'jabber:x:oob') !== undefined)
    expect(message.getChildText('body')).toBe(url)
    expect(message.getChild('x', 'jabber:x:oob')?.getChildText('url')).toBe(url)
    const response = await fetch(url)
    expect(response.status).toBe(200)
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true)
  })

  it("refuses a file over the server's limit with a clear error", async () => {
    const sending = bot.sendFile('alice@localhost', Buffer.alloc(11 * 1024 * 1024), { name: 'huge.bin' })
    await expect(sending).rejects.toBeInstanceOf(FileUploadError)
    await expect(sending).rejects.toMatchObject({ reason: 'too-large' })
  })
})
