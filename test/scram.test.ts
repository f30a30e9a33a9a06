import { describe, expect, it } from 'vitest'
import { ScramSha1 } from '../src/scram.js'

// The example exchange of RFC 5802, section 5.
const NONCE = 'fyko+d2lbbFgONRv9qkxdawL'
const SERVER_FIRST = 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096'
const CLIENT_FINAL = 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts='
const SERVER_FINAL = 'v=rmF9pqV8S7suAoZWja4dJRkFsKQ='
const credentials = { username: 'user', password: 'pencil' }

describe('ScramSha1', () => {
  it('answers the example exchange of RFC 5802', async () => {
    const scram = new ScramSha1(NONCE)
    expect(scram.name).toBe('SCRAM-SHA-1')
    expect(await scram.response(credentials)).toBe(`n,,n=user,r=${NONCE}`)
    expect(await scram.challenge(SERVER_FIRST).response(credentials)).toBe(CLIENT_FINAL)
    expect(await scram.challenge(SERVER_FINAL).response(credentials)).toBe('')
  })

  it('refuses a server signature that does not match', async () => {
    const scram = new ScramSha1(NONCE)
    await scram.response(credentials)
    await scram.challenge(SERVER_FIRST).response(credentials)
    await expect(scram.challenge('v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=').response(credentials)).rejects.toThrow('signature')
  })

  it('refuses a server nonce that does not extend its own, and a server error', async () => {
    const scram = new ScramSha1(NONCE)
    await scram.response(credentials)
    await expect(scram.challenge('r=someone-else,s=QSXCR+Q6sek8bf92,i=4096').response(credentials)).rejects.toThrow('nonce')
    const refused = new ScramSha1(NONCE)
    await refused.response(credentials)
    await expect(refused.challenge('e=unknown-user').response(credentials)).rejects.toThrow('unknown-user')
  })

  it('escapes the username and sends it as UTF-8, as xmpp.js base64-codes binary strings', async () => {
    const first = await new ScramSha1(NONCE).response({ username: 'zoë,=x', password: 'p' })
    expect(Buffer.from(first, 'latin1').toString('utf8')).toBe(`n,,n=zoë=2C=3Dx,r=${NONCE}`)
  })
})
