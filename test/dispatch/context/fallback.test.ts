import { describe, expect, it } from 'vitest'
import { ownText } from '../../../src/dispatch/context/fallback.js'
import { xml } from '../../../src/xml.js'

const NS_FALLBACK = 'urn:xmpp:fallback:0'
const NS_REPLY = 'urn:xmpp:reply:0'

const withFallback = (body: string, fallFor: string, ...ranges: Array<[number, number]>) =>
  xml(
    'message',
    {},
    xml('body', {}, body),
    xml(
      'fallback',
      { xmlns: NS_FALLBACK, for: fallFor },
      ranges.map(([start, end]) => xml('body', { start, end })),
    ),
  )

describe('ownText', () => {
  it('takes a reply quote out of the body', () => {
    expect(ownText(withFallback('> help\nhelp me more', NS_REPLY, [0, 7]))).toBe('help me more')
  })

  it('counts code points, so an emoji in the quote takes one place', () => {
    expect(ownText(withFallback('> 👍🏽 ok\nfine', NS_REPLY, [0, 8]))).toBe('fine')
  })

  it('leaves fallbacks of elements natter does not read', () => {
    expect(ownText(withFallback('> x\ny', 'urn:example:other', [0, 4]))).toBe('> x\ny')
  })

  it('is undefined when the whole body is fallback, with or without ranges', () => {
    expect(ownText(withFallback('> x\n', NS_REPLY, [0, 4]))).toBeUndefined()
    expect(ownText(xml('message', {}, xml('body', {}, 'stand-in'), xml('fallback', { xmlns: NS_FALLBACK, for: 'urn:xmpp:reactions:0' })))).toBeUndefined()
  })

  it('keeps ranges within the body whatever they say', () => {
    expect(ownText(withFallback('> a\nb', NS_REPLY, [-5, 4]))).toBe('b')
    expect(ownText(withFallback('abc', NS_REPLY, [1, 99]))).toBe('a')
    expect(
      ownText(xml('message', {}, xml('body', {}, 'abc'), xml('fallback', { xmlns: NS_FALLBACK, for: NS_REPLY }, xml('body', { start: 'x', end: '1' })))),
    ).toBe('bc')
  })

  it('is the body as it is without fallback, and undefined without a body', () => {
    expect(ownText(xml('message', {}, xml('body', {}, '*hi*')))).toBe('*hi*')
    expect(ownText(xml('message', {}))).toBeUndefined()
  })
})
