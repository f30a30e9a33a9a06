import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type BotOptions, createBot } from 'natter'
import { testKit } from 'natter/testing'
import { describe, expect, it } from 'vitest'
import { imageInfo } from '../../../src/plugins/profile/image.js'
import { jpegBytes, pngBytes } from '../../support/images.js'

const AVATAR = pngBytes(64, 48)
const SHA1 = createHash('sha1').update(AVATAR).digest('hex')

describe('the bot’s name and avatar', () => {
  it('are published at start as a vCard and an XEP-0084 avatar, then not again when nothing changed', async () => {
    const options: BotOptions = { env: {}, name: 'Deploy Bot', avatar: AVATAR }
    const kit = await testKit(() => createBot(options))
    await kit.settle()
    const vcard = kit.vcards.of(kit.jid)
    expect(vcard?.getChildText('FN')).toBe('Deploy Bot')
    expect(vcard?.getChildText('NICKNAME')).toBe('Deploy Bot')
    expect(vcard?.getChild('PHOTO')?.getChildText('TYPE')).toBe('image/png')
    expect(Buffer.from(vcard?.getChild('PHOTO')?.getChildText('BINVAL') ?? '', 'base64').equals(AVATAR)).toBe(true)
    expect(kit.pubsub.published.map((p) => [p.node, p.item.id])).toEqual([
      ['urn:xmpp:avatar:data', SHA1],
      ['urn:xmpp:avatar:metadata', SHA1],
    ])
    expect(kit.pubsub.items('urn:xmpp:avatar:metadata')[0]?.payload?.getChild('info')?.attrs).toEqual({
      id: SHA1,
      bytes: String(AVATAR.length),
      type: 'image/png',
      width: '64',
      height: '48',
    })
    await kit.restart()
    await kit.settle()
    expect(kit.vcards.sets).toBe(1)
    expect(kit.pubsub.published).toHaveLength(2)
  })

  it('publish a new avatar, and keep the vCard’s other fields, when only the avatar changed', async () => {
    let avatar = AVATAR
    const kit = await testKit(() => createBot({ env: {}, name: 'Deploy Bot', avatar }))
    await kit.settle()
    avatar = jpegBytes(32, 32)
    await kit.restart()
    await kit.settle()
    expect(kit.vcards.sets).toBe(2)
    expect(kit.vcards.of(kit.jid)?.getChild('PHOTO')?.getChildText('TYPE')).toBe('image/jpeg')
    expect(kit.pubsub.published.map((p) => p.node)).toHaveLength(4)
  })

  it('publish nothing without a name or an avatar', async () => {
    const kit = await testKit(createBot({ env: {} }))
    await kit.settle()
    expect(kit.vcards.sets).toBe(0)
    expect(kit.pubsub.published).toEqual([])
  })

  it('come from XMPP_NAME and XMPP_AVATAR', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'natter-avatar-'))
    const file = path.join(dir, 'avatar.png')
    writeFileSync(file, AVATAR)
    const bot = createBot({ env: { XMPP_NAME: 'Envbot', XMPP_AVATAR: file } })
    const kit = await testKit(bot)
    await kit.settle()
    expect(kit.vcards.of(kit.jid)?.getChildText('FN')).toBe('Envbot')
    expect(bot.profile.avatarId).toBe(SHA1)
  })

  it.each([
    ['/nowhere/avatar.png', /^XMPP_AVATAR: cannot read "\/nowhere\/avatar.png" \(ENOENT\)/],
    [import.meta.filename, /^XMPP_AVATAR: ".*profile.test.ts" is not a PNG or JPEG image$/],
  ])('refuse XMPP_AVATAR=%s before connecting, naming the variable', async (file, message) => {
    const bot = createBot({ env: { JID: 'bot@example.org', JPASSWORD: 'pw', XMPP_AVATAR: file } })
    await expect(bot.start()).rejects.toThrow(message)
  })
})

describe('imageInfo()', () => {
  it('reads the type and size of PNGs and JPEGs, and nothing else', () => {
    expect(imageInfo(pngBytes(96, 80))).toEqual({ type: 'image/png', width: 96, height: 80 })
    expect(imageInfo(jpegBytes(300, 200))).toEqual({ type: 'image/jpeg', width: 300, height: 200 })
    expect(imageInfo(Buffer.from('GIF89a......'))).toBeUndefined()
    expect(imageInfo(jpegBytes(1, 1).subarray(0, 8))).toBeUndefined()
  })
})
