const LT = 0x3c
const GT = 0x3e
/** A tail past the last tag of a read that is handed on at once, though the parser may scan it slowly. */
const SHORT_TAIL = 1024

/**
 * Cuts what the socket reads into the pieces handed to xmpp.js's XML parser (ltx). In text, ltx looks for
 * the next `<` from each character in turn when the read holds none: a long text that runs to the end of a read
 * costs it the square of its length (a stanza with 200 KiB of text was parsed at about 2 MB/s, and a few
 * hostile senders could keep the bot reading their padding for minutes while everyone else waited behind it).
 * So each piece ends with its last tag, and a long run after it waits for the `<` that ends it; the parser
 * itself is not touched. UTF-8 never uses the bytes of `<` and `>` inside a character, so cutting there is safe;
 * where a piece ends with the read, a character the read cut in two is kept for the next one (xmpp.js decodes
 * each read alone and made two replacement characters of it).
 *
 * @example
 * ```ts
 * for (const piece of feed.cut(data)) parse(piece)
 * ```
 */
export class ParserFeed {
  #held: Buffer[] = []
  #heldBytes = 0

  /** What to parse now of what was held and `data`, in order; what is held back comes with a later read. */
  cut(data: Buffer): Buffer[] {
    const pieces = this.#cut(data)
    // xmpp.js decodes each piece alone: a character the read cut in two waits for its last bytes.
    const last = pieces.at(-1)
    const split = this.#held.length === 0 && last ? splitCharacter(last) : 0
    if (last && split > 0) {
      pieces[pieces.length - 1] = last.subarray(0, last.length - split)
      this.#hold(last.subarray(last.length - split))
    }
    return pieces.filter((piece) => piece.length > 0)
  }

  #cut(data: Buffer): Buffer[] {
    const lastLt = data.lastIndexOf(LT)
    if (lastLt === -1) {
      this.#hold(data)
      // A `>` ends the tag that a long attribute value held open (servers write `&gt;` in text and values).
      return data.includes(GT) || this.#heldBytes < SHORT_TAIL ? [this.#release()] : []
    }
    const head = data.subarray(0, lastLt + 1)
    const pieces = [this.#held.length === 0 ? head : this.#release(head)]
    const tail = data.subarray(lastLt + 1)
    // The tag the last `<` opens ends at its first `>`; what follows it is text.
    const tagEnd = tail.indexOf(GT) + 1
    if (tagEnd > 0) {
      pieces.push(tail.subarray(0, tagEnd))
      const text = tail.subarray(tagEnd)
      if (text.length >= SHORT_TAIL) this.#hold(text)
      else if (text.length > 0) pieces.push(text)
    } else if (tail.length >= SHORT_TAIL) this.#hold(tail)
    else if (tail.length > 0) pieces.push(tail)
    return pieces
  }

  /** Forgets what was held: a new stream starts. */
  clear(): void {
    this.#held = []
    this.#heldBytes = 0
  }

  #hold(part: Buffer): void {
    this.#held.push(part)
    this.#heldBytes += part.length
  }

  /** What was held, and `then` after it, as one piece. */
  #release(then?: Buffer): Buffer {
    if (then) this.#held.push(then)
    const piece = this.#held.length === 1 ? (this.#held[0] as Buffer) : Buffer.concat(this.#held)
    this.clear()
    return piece
  }
}

/** How many bytes at the end of `bytes` begin a UTF-8 character that is not complete. */
function splitCharacter(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] as number
    // A continuation byte: the character starts further back.
    if ((byte & 0xc0) === 0x80) continue
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return length > back ? back : 0
  }
  return 0
}
