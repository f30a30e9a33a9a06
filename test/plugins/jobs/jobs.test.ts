import { type Bot, createBot, JOBS_BOUNDS, type Job } from 'natter'
import { testKit } from 'natter/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => {
  vi.useRealTimers()
})

function jobBot(ran: Job<{ n: number }>[]): Bot {
  const bot = createBot({ env: {} })
  bot.jobs.define<{ n: number }>('tick', (job) => {
    ran.push(job)
  })
  return bot
}

describe('durable jobs', () => {
  it('run once when due, with their data, and leave the store', async () => {
    vi.useFakeTimers()
    const ran: Job<{ n: number }>[] = []
    const bot = jobBot(ran)
    await testKit(bot)
    await bot.jobs.schedule('tick', { n: 1 }, { in: 5_000, conversation: 'alice@example.org' })
    expect((await bot.jobs.pending()).map((job) => job.kind)).toEqual(['tick'])
    await vi.advanceTimersByTimeAsync(4_999)
    expect(ran).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(ran.map((job) => [job.data, job.conversation, job.attempt, job.late])).toEqual([[{ n: 1 }, 'alice@example.org', 1, 0]])
    await vi.advanceTimersByTimeAsync(120_000)
    expect(ran).toHaveLength(1)
    expect(await bot.jobs.pending()).toEqual([])
  })

  it('can be cancelled before they start', async () => {
    vi.useFakeTimers()
    const ran: Job<{ n: number }>[] = []
    const bot = jobBot(ran)
    await testKit(bot)
    const id = await bot.jobs.schedule('tick', { n: 1 }, { in: 1_000 })
    expect(await bot.jobs.cancel(id)).toBe(true)
    await vi.advanceTimersByTimeAsync(120_000)
    expect(ran).toHaveLength(0)
  })

  it('tell a job that fell due while no process ran how late it is', async () => {
    vi.useFakeTimers()
    const ran: Job<{ n: number }>[] = []
    const kit = await testKit(() => jobBot(ran))
    const first = jobBot([])
    await kit.restart(first)
    await first.jobs.schedule('tick', { n: 2 }, { in: 1_000 })
    await first.stop()
    vi.setSystemTime(Date.now() + 61_000)
    await kit.restart(jobBot(ran))
    await vi.advanceTimersByTimeAsync(0)
    expect(ran.map((job) => job.late)).toEqual([60_000])
  })

  it('refuse a kind nobody defined, and data JSON cannot hold', async () => {
    const bot = jobBot([])
    await testKit(bot)
    await expect(bot.jobs.schedule('tock', {}, { in: 1 })).rejects.toThrow(/no kind "tock"/)
    await expect(bot.jobs.schedule('tick', { n: new Date() }, { in: 1 })).rejects.toThrow(TypeError)
    expect(() => bot.jobs.define('tick', () => {})).toThrow(/defined twice/)
  })

  it('are bounded per conversation, in number and size, with a clear error at the call; a cancelled job makes room', async () => {
    const bot = jobBot([])
    await testKit(bot)
    const mallory = { in: 600_000, conversation: 'mallory@example.net' }
    const ids: string[] = []
    for (let n = 0; n < JOBS_BOUNDS.perConversation.jobs; n++) ids.push(await bot.jobs.schedule('tick', { n }, mallory))
    await expect(bot.jobs.schedule('tick', { n: -1 }, mallory)).rejects.toThrow(/mallory@example.net would have 101 jobs/)
    // Others are not held up by her.
    await bot.jobs.schedule('tick', { n: 1 }, { in: 600_000, conversation: 'alice@example.org' })
    expect(await bot.jobs.cancel(ids[0] as string)).toBe(true)
    await bot.jobs.schedule('tick', { n: -1 }, mallory)
    const huge = { n: 1, text: 'x'.repeat(JOBS_BOUNDS.perConversation.chars) }
    await expect(bot.jobs.schedule('tick', huge, { in: 1_000, conversation: 'bob@example.org' })).rejects.toThrow(RangeError)
    expect((await bot.jobs.pending()).filter((job) => job.conversation === 'bob@example.org')).toEqual([])
  })
})
