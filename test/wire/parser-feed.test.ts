import { describe, expect, it } from 'vitest'
import { ParserFeed } from '../../src/wire/parser-feed.js'

const padded = (text: string) => `<message from='a@example.org/x' to='bot@example.org'><body>hi</body><pad xmlns='urn:example:pad'>${text}</pad></message>`

/** Feeds `input` to a feed in reads of `size` bytes; every piece handed on, and what it still holds. */
function feed(input: Buffer, size: number): { pieces: Buffer[]; held: Buffer } {
  const f = new ParserFeed()
  const pieces: Buffer[] = []
  for (let i = 0; i < input.length; i += size) pieces.push(...f.cut(input.subarray(i, i + size)))
  const rest = f.cut(Buffer.from('<'))
  return { pieces, held: Buffer.concat(rest).subarray(0, -1) }
}

/** The longest text a piece ends with after its last `<` or `>`: what the parser would scan slowly. */
function longestTrailingText(pieces: Buffer[]): number {
  return Math.max(0, ...pieces.map((piece) => piece.length - 1 - Math.max(piece.lastIndexOf(0x3c), piece.lastIndexOf(0x3e))))
}

describe('ParserFeed', () => {
  it('hands on every byte once, in order, whatever the reads', () => {
    const input = Buffer.from(padded('x'.repeat(200 * 1024)).repeat(3) + padded('short'))
    for (const size of [7, 1000, 16_384, 65_536]) {
      const { pieces, held } = feed(input, size)
      expect(Buffer.concat([...pieces, held]).equals(input)).toBe(true)
    }
  })

  it('never ends a piece with a long run of text, so that the parser reads it in one pass', () => {
    const { pieces } = feed(Buffer.from(padded('x'.repeat(200 * 1024))), 65_536)
    expect(longestTrailingText(pieces)).toBeLessThan(1024)
  })

  it('holds nothing back of a stanza that a read ends: its end tag is parsed with the read', () => {
    const f = new ParserFeed()
    const stanza = Buffer.from(padded('y'.repeat(5_000)))
    const pieces = [...f.cut(stanza.subarray(0, 3_000)), ...f.cut(stanza.subarray(3_000))]
    expect(Buffer.concat(pieces).equals(stanza)).toBe(true)
  })

  it('keeps a character that a read cut in two for the next read', () => {
    const text = Buffer.from(padded('héllo 👋 wörld'))
    const cut = text.indexOf(Buffer.from('👋')) + 2
    const f = new ParserFeed()
    const pieces = [...f.cut(text.subarray(0, cut)), ...f.cut(text.subarray(cut))]
    expect(pieces.map((piece) => piece.toString('utf8')).join('')).toBe(text.toString('utf8'))
  })

  it('hands on a long attribute value once the tag it opened ends, though no `<` follows in that read', () => {
    const f = new ParserFeed()
    const stanza = Buffer.from(`<presence><x xmlns='urn:example:x' v='${'z'.repeat(5_000)}'/></presence>`)
    const end = stanza.indexOf(Buffer.from("'/>")) + 3
    const first = [...f.cut(stanza.subarray(0, 2_000)), ...f.cut(stanza.subarray(2_000, end))]
    expect(Buffer.concat(first).equals(stanza.subarray(0, end))).toBe(true)
  })
})
