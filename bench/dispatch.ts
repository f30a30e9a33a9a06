// Dispatch micro-benchmark: what one stanza costs in natter's dispatcher as handlers and commands that cannot
// match it pile up. Two views: the whole inbound path of a bot in memory (TestChat: context, guards, handler,
// reply), and the router alone choosing and running the handler for a ready-made context.
import { type Bot, createBot, type Guards, type MessageField, TestChat } from 'natter'
import { MessageContext } from '../src/context/message.js'
import { compileGuards } from '../src/guards.js'
import { createLogger } from '../src/log.js'
import { Router } from '../src/router.js'
import { xml } from '../src/transport.js'
import { median } from './stats.js'

export interface DispatchSample {
  readonly label: string
  /** Registered handlers (or commands), the one that matches included. */
  readonly count: number
  /** Whole inbound path, µs per stanza. */
  readonly botUs: number
  /** Router alone, µs per stanza; undefined for commands, which the router sees as one handler. */
  readonly routerUs: number | undefined
}

const SENDER = 'alice@example.org/phone'
const MESSAGE_FIELDS = ['from', 'to', 'id', 'type', 'body', 'subject', 'thread', 'chatState', 'delayedAt', 'lang', 'room', 'nick', 'mentioned']
const BATCHES = 7

/**
 * Guards that cannot match a chat message from alice with the body "hello", in the shapes bots use: other
 * types, exact phrases, other senders.
 */
function missGuard(i: number): Guards<MessageContext, MessageField> {
  switch (i % 4) {
    case 0:
      return { type: 'groupchat', body: new RegExp(`^!task${i}\\b`) }
    case 1:
      return { type: 'chat', body: `what is ${i}?` }
    case 2:
      return { from: `user${i}@example.org`, body: true }
    default:
      return { type: ['normal', 'headline'], body: true }
  }
}

const echoGuard = { type: 'chat', body: true } as const

function botWithHandlers(count: number): Bot {
  const bot = createBot({ logLevel: 'silent' })
  for (let i = 1; i < count; i++) bot.message(missGuard(i), (msg) => msg.reply('never'))
  bot.message(echoGuard, (msg) => msg.reply(`You said: ${msg.body}`))
  return bot
}

function botWithCommands(count: number): Bot {
  const bot = createBot({ logLevel: 'silent' })
  for (let i = 1; i < count; i++) bot.command(`task${i} [what...]`, `Does task ${i}`, (cmd) => cmd.reply('never'))
  bot.command('echo <text...>', 'Repeats the text', (cmd) => cmd.reply(`You said: ${cmd.args.text}`))
  return bot
}

/** µs per call of `run`, the median of several batches after a warm-up. */
async function perCall(iterations: number, run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < iterations; i++) await run()
  const batches: number[] = []
  for (let b = 0; b < BATCHES; b++) {
    const started = performance.now()
    for (let i = 0; i < iterations; i++) await run()
    batches.push(((performance.now() - started) * 1000) / iterations)
  }
  return median(batches)
}

async function throughBot(bot: Bot, body: string): Promise<number> {
  const chat = new TestChat(bot)
  // TestChat keeps every stanza the bot sent; emptying it keeps memory flat.
  return perCall(2_000, async () => {
    await chat.say(SENDER, body)
    chat.sent.length = 0
  })
}

async function throughRouter(count: number): Promise<number> {
  const router = new Router()
  const add = (guards: Guards<MessageContext, MessageField>): void => router.add('message', compileGuards('message', MESSAGE_FIELDS, guards), () => undefined, guards)
  for (let i = 1; i < count; i++) add(missGuard(i))
  add(echoGuard)
  const link = { jid: 'bot@example.org/natter', log: createLogger('silent'), send: async () => {}, roomNick: () => undefined }
  const ctx = new MessageContext(xml('message', { from: SENDER, to: link.jid, type: 'chat', id: 'm1' }, xml('body', {}, 'hello')), link)
  return perCall(20_000, () => router.dispatch(ctx))
}

export async function runDispatchBench(counts: readonly number[] = [1, 100, 1_000]): Promise<DispatchSample[]> {
  const samples: DispatchSample[] = []
  for (const count of counts) {
    samples.push({ label: 'handlers', count, botUs: await throughBot(botWithHandlers(count), 'hello'), routerUs: await throughRouter(count) })
  }
  for (const count of counts) {
    samples.push({ label: 'commands', count, botUs: await throughBot(botWithCommands(count), 'echo hello'), routerUs: undefined })
  }
  return samples
}
