import { bareJid, parseJid } from 'natter'
import { describe, expect, it } from 'vitest'

describe('parseJid', () => {
  it('splits a full JID into its parts', () => {
    expect(parseJid('alice@example.org/phone')).toEqual({
      local: 'alice',
      domain: 'example.org',
      resource: 'phone',
      bare: 'alice@example.org',
      full: 'alice@example.org/phone',
    })
  })

  it('reads a bare JID and a domain-only JID', () => {
    expect(parseJid('alice@example.org')).toMatchObject({ resource: '', bare: 'alice@example.org', full: 'alice@example.org' })
    expect(parseJid('conference.example.org')).toMatchObject({ local: '', bare: 'conference.example.org', full: 'conference.example.org' })
  })

  it('lower-cases the local part and domain but keeps the resource as it is', () => {
    expect(parseJid('Room@Conference.Example.org/Nick')).toMatchObject({ bare: 'room@conference.example.org', resource: 'Nick' })
  })

  it('keeps slashes and @ inside the resource', () => {
    expect(parseJid('room@muc.example.org/a/b@c')?.resource).toBe('a/b@c')
  })

  it.each(['', '@example.org', 'alice@', 'alice@example.org/', 'al ice@example.org', 'a"b@example.org', 'a@b@example.org', 'exa mple.org'])(
    'returns undefined for %j instead of throwing',
    (text) => {
      expect(parseJid(text)).toBeUndefined()
    },
  )
})

describe('bareJid', () => {
  it('drops the resource', () => {
    expect(bareJid('Alice@Example.org/phone')).toBe('alice@example.org')
  })

  it('gives back text that is not a JID unchanged', () => {
    expect(bareJid('not a jid')).toBe('not a jid')
  })
})
