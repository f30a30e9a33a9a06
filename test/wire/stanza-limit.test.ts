import { xml } from 'natter'
import { describe, expect, it, vi } from 'vitest'
import type { Logger } from '../../src/log/logger.js'
import { NS_STREAM_LIMITS, NS_STREAMS } from '../../src/ns.js'
import { StanzaLimit } from '../../src/wire/stanza-limit.js'

const features = (maxBytes?: string) =>
  xml('stream:features', { xmlns: NS_STREAMS }, maxBytes !== undefined && xml('limits', { xmlns: NS_STREAM_LIMITS }, xml('max-bytes', {}, maxBytes)))

function limited(configured: number) {
  const lane = { maxBytes: configured }
  const warn = vi.fn()
  return { lane, warn, limit: new StanzaLimit(configured, lane, { warn } as unknown as Logger) }
}

describe('StanzaLimit', () => {
  it('believes a server that says it takes less than configured (XEP-0478), never one that says it takes more', () => {
    const { lane, limit } = limited(10_000)
    limit.offered(features('4000'))
    expect(lane.maxBytes).toBe(4000)
    limit.offered(features('50000'))
    expect(lane.maxBytes).toBe(10_000)
  })

  it('keeps the configured limit when the server says nothing, or nothing that is a size', () => {
    const { lane, limit } = limited(10_000)
    for (const said of [undefined, 'lots', '0', '-5', '12.5']) {
      lane.maxBytes = 1
      limit.offered(features(said))
      expect(lane.maxBytes).toBe(10_000)
    }
  })

  it('writes nothing as big as a stanza the server refused, on this stream and the next ones', () => {
    const { lane, limit, warn } = limited(10_000)
    limit.refused(6000)
    expect(lane.maxBytes).toBe(5999)
    expect(warn).toHaveBeenCalledOnce()
    limit.offered(features('8000'))
    expect(lane.maxBytes).toBe(5999)
    limit.refused(7000)
    expect(lane.maxBytes).toBe(5999)
  })

  it('learns nothing when no stanza awaited an ack', () => {
    const { lane, limit, warn } = limited(10_000)
    limit.refused(0)
    expect(lane.maxBytes).toBe(10_000)
    expect(warn).not.toHaveBeenCalled()
  })
})
