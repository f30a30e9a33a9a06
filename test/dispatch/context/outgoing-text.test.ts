import { describe, expect, it } from 'vitest'
import { quotingReply, textMessage } from '../../../src/dispatch/context/outgoing-text.js'
import { xml } from '../../../src/xml.js'

describe('textMessage', () => {
  it('is a chat with an id and the body, and nothing more unless asked', () => {
    const m = textMessage('alice@example.org', 'hi')
    expect(m.attrs).toEqual({ to: 'alice@example.org', type: 'chat', id: expect.any(String) })
    expect(m.getChildElements().map((c) => c.name)).toEqual(['body'])
  })

  it('takes a type alone or in options, and adds unstyled and markable', () => {
    expect(textMessage('room@conference.example.org', 'hi', 'groupchat').attrs.type).toBe('groupchat')
    const m = textMessage('alice@example.org', '*not bold*', { type: 'normal', unstyled: true, markable: true })
    expect(m.attrs.type).toBe('normal')
    expect(m.getChild('unstyled', 'urn:xmpp:styling:0')).toBeDefined()
    expect(m.getChild('markable', 'urn:xmpp:chat-markers:0')).toBeDefined()
  })

  it('gives each message its own id', () => {
    expect(textMessage('a@example.org', 'x').attrs.id).not.toBe(textMessage('a@example.org', 'x').attrs.id)
  })
})

describe('quotingReply', () => {
  it('quotes every line and marks the quote, in code points, as the reply fallback', () => {
    const { text, elements } = quotingReply('one 👍\ntwo', 'answer', { id: 'm1', author: 'alice@example.org/phone' })
    expect(text).toBe('> one 👍\n> two\nanswer')
    const message = xml('message', {}, xml('body', {}, text), elements)
    expect(message.getChild('reply', 'urn:xmpp:reply:0')?.attrs).toEqual({ xmlns: 'urn:xmpp:reply:0', id: 'm1', to: 'alice@example.org/phone' })
    const range = message.getChild('fallback', 'urn:xmpp:fallback:0')?.getChild('body')?.attrs
    expect(range).toEqual({ start: '0', end: String(Array.from('> one 👍\n> two\n').length) })
  })
})
