import { ExitCode } from 'natter'
import { describe, expect, it } from 'vitest'
import { Failure } from '../../../src/cli/failure.js'
import { AnswerWatch, ask } from '../../../src/cli/sandbox/ask.js'

const never = new Promise<never>(() => {})

describe('ask', () => {
  it('sends once the bot is online and resolves with its answer', async () => {
    const sent: string[] = []
    let answered!: (body: string) => void
    const answer = new Promise<string>((resolve) => (answered = resolve))
    const reply = ask('hello', {
      send: async (text) => {
        sent.push(text)
        answered(`You said: ${text}`)
      },
      online: Promise.resolve(),
      answer,
      gone: never,
      timeout: 30_000,
    })
    expect(await reply).toBe('You said: hello')
    expect(sent).toEqual(['hello'])
  })

  it('rejects as the bot goes', async () => {
    const gone = Promise.reject(new Failure('the bot exited (exit code 78)', 78))
    const error = await ask('hello', { send: async () => {}, online: never, answer: never, gone, timeout: 30_000 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Failure)
    expect((error as Failure).code).toBe(78)
  })

  it('gives up with exit 69 when no answer comes in time', async () => {
    const error = await ask('hello', { send: async () => {}, online: Promise.resolve(), answer: never, gone: never, timeout: 20 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Failure)
    expect((error as Failure).code).toBe(ExitCode.Unavailable)
    expect((error as Failure).message).toContain('no answer from the bot')
  })
})

describe('AnswerWatch', () => {
  it('takes the message in the question thread, over a greeting before or after the question', async () => {
    const watch = new AnswerWatch(60_000)
    watch.heard('Welcome!', undefined)
    watch.asked()
    watch.heard('Welcome again!', undefined)
    watch.heard('elsewhere', 'another-thread')
    watch.heard('You said: hello', watch.thread)
    expect(await watch.answer).toBe('You said: hello')
  })

  it('takes an unthreaded message after the question when no threaded one follows', async () => {
    const watch = new AnswerWatch(1)
    watch.asked()
    watch.heard('You said: hello', undefined)
    expect(await watch.answer).toBe('You said: hello')
  })
})
