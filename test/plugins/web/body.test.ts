import { describe, expect, it } from 'vitest'
import { isJson, mediaType, parseJson, readBody, takes } from '../../../src/plugins/web/body.js'
import { Refusal } from '../../../src/plugins/web/refusal.js'

const post = (body: string, headers: Record<string, string> = {}) => new Request('http://bot.test/x', { method: 'POST', body, headers })

/** A body streamed in chunks, with no declared length. */
function streamed(chunks: number, size: number): Request {
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ < chunks) controller.enqueue(new Uint8Array(size))
      else controller.close()
    },
  })
  return new Request('http://bot.test/x', { method: 'POST', body, duplex: 'half' } as RequestInit)
}

async function refusal(work: Promise<unknown> | (() => unknown)): Promise<number | undefined> {
  try {
    await (typeof work === 'function' ? work() : work)
  } catch (error) {
    if (error instanceof Refusal) return error.status
    throw error
  }
  return undefined
}

describe('content types', () => {
  it('are read without parameters, and a JSON route takes +json types', () => {
    expect(mediaType('Application/JSON; charset=utf-8')).toBe('application/json')
    expect(mediaType(null)).toBe('')
    expect(takes(['application/json'], 'application/vnd.github+json')).toBe(true)
    expect(takes(['application/json'], 'text/plain')).toBe(false)
    expect(takes(['text/*'], 'text/plain')).toBe(true)
    expect(takes(['*/*'], '')).toBe(true)
    expect(isJson('application/x-www-form-urlencoded')).toBe(false)
  })
})

describe('reading a body', () => {
  it('reads one within the limit', async () => {
    expect((await readBody(post('hello'), 5)).toString()).toBe('hello')
  })

  it('refuses a declared length over the limit, and a streamed body as it passes the limit', async () => {
    expect(await refusal(readBody(post('hello!'), 5))).toBe(413)
    expect(await refusal(readBody(streamed(10, 1000), 5000))).toBe(413)
    expect((await readBody(streamed(5, 1000), 5000)).length).toBe(5000)
  })

  it('turns malformed JSON into a 400', async () => {
    expect(parseJson(Buffer.from('{"a":1}'))).toEqual({ a: 1 })
    expect(await refusal(() => parseJson(Buffer.from('{"a":')))).toBe(400)
  })
})
