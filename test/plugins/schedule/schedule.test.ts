import { Writable } from 'node:stream'
import { createBot, SCHEDULE_BOUNDS } from 'natter'
import { testKit } from 'natter/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => {
  vi.useRealTimers()
})

/** A bot with a `remind <seconds> <text...>` command built on bot.schedule(), and the log lines it writes. */
function reminderBot() {
  const lines: Array<Record<string, unknown>> = []
  const logDestination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  const bot = createBot({ logLevel: 'warn', logDestination })
  bot.command('remind <seconds> <text...>', 'Reminds you', (cmd) => {
    bot.schedule(Number(cmd.args.seconds) * 1000, `reminder for ${cmd.from}: ${cmd.args.text}`, () => cmd.reply(`Reminder: ${cmd.args.text}`), {
      dropped: () => cmd.reply(`Restarting: your reminder "${cmd.args.text}" is lost`),
    })
    return cmd.reply('OK')
  })
  return { bot, lines }
}

describe('bot.schedule', () => {
  it('runs the job once its time has come, and not before', async () => {
    vi.useFakeTimers()
    const { bot } = reminderBot()
    const kit = await testKit(bot)
    const alice = kit.contact('alice@example.org')
    expect(await alice.say('remind 10 stretch')).toEqual(['OK'])
    await vi.advanceTimersByTimeAsync(9_999)
    expect(alice.received).toEqual(['OK'])
    await vi.advanceTimersByTimeAsync(1)
    expect(alice.received).toEqual(['OK', 'Reminder: stretch'])
    expect(bot.scheduled()).toEqual([])
  })

  it('lists the jobs waiting, and forgets a cancelled one', async () => {
    vi.useFakeTimers()
    const { bot } = reminderBot()
    await testKit(bot)
    const run = vi.fn()
    const job = bot.schedule(5_000, 'tea', run)
    expect(bot.scheduled().map((j) => [j.what, j.due.getTime() - Date.now()])).toEqual([['tea', 5_000]])
    expect(job.cancel()).toBe(true)
    expect(job.cancel()).toBe(false)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(run).not.toHaveBeenCalled()
  })

  it('waits longer than one Node timer can', async () => {
    vi.useFakeTimers()
    const { bot } = reminderBot()
    await testKit(bot)
    const run = vi.fn()
    const days30 = 30 * 24 * 3600_000
    bot.schedule(days30, 'in a month', run)
    await vi.advanceTimersByTimeAsync(days30 - 1)
    expect(run).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(run).toHaveBeenCalledOnce()
  })

  it('never keeps the process alive', () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
    const { bot } = reminderBot()
    bot.schedule(60_000, 'later', () => {}).cancel()
    const call = setTimeoutSpy.mock.calls.findIndex(([, ms]) => ms === 60_000)
    const timer = setTimeoutSpy.mock.results[call]?.value as NodeJS.Timeout
    setTimeoutSpy.mockRestore()
    expect(timer.hasRef()).toBe(false)
  })

  it('does not hold up a shutdown: the jobs not due are dropped, logged by name, and told about while online', async () => {
    vi.useFakeTimers()
    const { bot, lines } = reminderBot()
    const kit = await testKit(bot)
    const alice = kit.contact('alice@example.org')
    await alice.say('remind 600 stretch')
    await bot.stop()
    expect(lines.map((l) => l.msg)).toContain('shutdown drops 1 scheduled job: reminder for alice@example.org/test: stretch')
    expect(alice.received).toEqual(['OK', 'Restarting: your reminder "stretch" is lost'])
    expect(kit.sent.at(-1)?.attrs).toEqual({ type: 'unavailable' })
    await vi.advanceTimersByTimeAsync(600_000)
    expect(alice.received).toHaveLength(2)
  })

  it('lets an onShutdown hook see the jobs it drops', async () => {
    const { bot } = reminderBot()
    const saved: string[] = []
    bot.onShutdown(() => {
      saved.push(...bot.scheduled().map((job) => job.what))
    })
    await testKit(bot)
    bot.schedule(60_000, 'weekly report', () => {})
    await bot.stop()
    expect(saved).toEqual(['weekly report'])
  })

  it('lets a job that has started finish before the bot goes offline', async () => {
    vi.useFakeTimers()
    const { bot } = reminderBot()
    const kit = await testKit(bot)
    const order: string[] = []
    bot.schedule(1_000, 'slow job', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5_000))
      order.push('job done')
    })
    await vi.advanceTimersByTimeAsync(1_000)
    const stopped = bot.stop().then(() => order.push('stopped'))
    await vi.advanceTimersByTimeAsync(5_000)
    await stopped
    expect(order).toEqual(['job done', 'stopped'])
    expect(kit.sent.at(-1)?.attrs.type).toBe('unavailable')
  })

  it('refuses a delay that is no number of ms', () => {
    const { bot } = reminderBot()
    expect(() => bot.schedule(Number('soon'), 'x', () => {})).toThrow(RangeError)
    expect(() => bot.schedule(-1, 'x', () => {})).toThrow(RangeError)
  })

  it('bounds the jobs waiting for one sender and in all, with a clear error at the call; a job that ran or was cancelled makes room', () => {
    const bot = createBot()
    const { perSender } = SCHEDULE_BOUNDS
    const jobs = Array.from({ length: perSender.jobs }, (_, i) => bot.schedule(60_000, `job ${i}`, () => {}, { for: 'mallory@example.net' }))
    expect(() => bot.schedule(60_000, 'one more', () => {}, { for: 'mallory@example.net' })).toThrow(/mallory@example.net already has 100 jobs waiting/)
    // Others are not held up by her.
    expect(() => bot.schedule(60_000, 'for alice', () => {}, { for: 'alice@example.org' })).not.toThrow()
    jobs[0]?.cancel()
    expect(() => bot.schedule(60_000, 'one more', () => {}, { for: 'mallory@example.net' })).not.toThrow()
    // Size counts too: one long text can fill a sender's share.
    expect(() => bot.schedule(60_000, 'x'.repeat(perSender.chars + 1), () => {}, { for: 'bob@example.org' })).toThrow(RangeError)
    for (const job of bot.scheduled()) job.cancel()
  })

  it('names at most a few dropped jobs, cut short, in the shutdown log line', async () => {
    const { bot, lines } = reminderBot()
    await testKit(bot)
    for (let i = 0; i < 30; i++) bot.schedule(60_000, `job ${i} ${'x'.repeat(1_000)}`, () => {})
    await bot.stop()
    const line = lines.find((l) => String(l.msg).startsWith('shutdown drops 30 scheduled jobs'))
    expect(String(line?.msg)).toContain('; and 10 more')
    expect(String(line?.msg).length).toBeLessThan(20 * 250)
  })
})
