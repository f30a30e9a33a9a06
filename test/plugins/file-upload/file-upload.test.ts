import { mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createBot, FileUploadError } from 'natter'
import { testKit } from 'natter/testing'
import { describe, expect, it } from 'vitest'

describe('bot.sendFile()', () => {
  it('uploads the bytes and sends the link as the body and as XEP-0066 data', async () => {
    const bot = createBot({ env: {} })
    const kit = await testKit(bot)
    const url = await bot.sendFile('alice@example.org', Buffer.from('a,b\n1,2\n'), { name: 'report.csv' })
    const [file] = kit.uploads?.files ?? []
    expect(file).toMatchObject({ name: 'report.csv', type: 'text/csv', url })
    expect(Buffer.from(file?.bytes ?? []).toString()).toBe('a,b\n1,2\n')
    const message = kit.contact('alice@example.org').received.stanzas.at(-1)
    expect(message?.getChildText('body')).toBe(url)
    expect(message?.getChild('x', 'jabber:x:oob')?.getChildText('url')).toBe(url)
  })

  it('reads a path, names the file after it and takes a content type given', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'natter-upload-'))
    const file = path.join(dir, 'chart.png')
    await writeFile(file, Buffer.from([0x89, 0x50, 0x4e, 0x47]))
    const bot = createBot({ env: {} })
    const kit = await testKit(bot)
    await bot.sendFile('team@conference.example.org', file, { messageType: 'groupchat' })
    await bot.sendFile('alice@example.org', file, { name: 'raw.bin', type: 'application/x-raw' })
    expect(kit.uploads?.files.map((f) => [f.name, f.type, f.bytes.byteLength])).toEqual([
      ['chart.png', 'image/png', 4],
      ['raw.bin', 'application/x-raw', 4],
    ])
    expect(kit.sent.filter((s) => s.name === 'message').map((s) => s.attrs.type)).toEqual(['groupchat', 'chat'])
  })

  it('refuses a file over the service limit before uploading it', async () => {
    const bot = createBot({ env: {} })
    const kit = await testKit(bot, { upload: { maxSize: 3 } })
    const sending = bot.sendFile('alice@example.org', Buffer.from('four'), { name: 'big.txt' })
    await expect(sending).rejects.toThrow(FileUploadError)
    await expect(sending).rejects.toMatchObject({ reason: 'too-large', message: expect.stringContaining('over the 3 bytes') })
    expect(kit.uploads?.files).toEqual([])
  })

  it('says so when the server has no upload service', async () => {
    const bot = createBot({ env: {} })
    await testKit(bot, { upload: false })
    await expect(bot.sendFile('alice@example.org', Buffer.from('x'), { name: 'x.txt' })).rejects.toMatchObject({
      reason: 'no-service',
      message: expect.stringContaining('no HTTP file upload'),
    })
  })

  it('wants a name for bytes', async () => {
    const bot = createBot({ env: {} })
    await testKit(bot)
    await expect(bot.sendFile('alice@example.org', Buffer.from('x'))).rejects.toThrow(/give the file a name/)
  })
})
