// Dispatch micro-benchmark: what one stanza costs in natter's dispatcher as handlers and commands that cannot
// match it pile up. Two views: the whole inbound path of a bot in memory (TestChat: context, guards, handler,
// reply), and the router alone choosing and running the handler for a ready-made context.
import { type Bot, createBot, type Guards, type MessageField, xml } from 'natter'
import { TestChat } from 'natter/testing'
import { MessageContext, messageKind } from '../src/dispatch/context/message.js'
import { compileGuards } from '../src/dispatch/guards.js'
import { Router } from '../src/dispatch/router.js'
import { createLogger } from '../src/log/logger.js'
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

// One sender sends thousands of messages: without `limits: false` most would be dropped, not dispatched.
function botWithHandlers(count: number): Bot {
  const bot = createBot({ logLevel: 'silent', limits: false })
  for (let i = 1; i < count; i++) bot.message(missGuard(i), (msg) => msg.reply('never'))
  bot.message(echoGuard, (msg) => msg.reply(`You said: ${msg.body}`))
  return bot
}

function botWithCommands(count: number): Bot {
  const bot = createBot({ logLevel: 'silent', limits: false })
  for (let i = 1; i < count; i++) bot.command(`task${i} [what...]`, `Does task ${i}`, (cmd) => cmd.reply('never'))
  bot.command('echo <text...>', 'Repeats the text', (cmd) => cmd.reply(`You said: ${cmd.args.text}`))
  return bot
}

/** One thing to time: `iterations` calls of `run` make a batch. */
interface Probe {
  readonly iterations: number
  readonly run: () => Promise<unknown>
}

/**
 * µs per call of each probe: the median of its batches, after a warm-up. The probes take turns batch by
 * batch, so a drift of the machine (a busy neighbour, the heap growing) weighs on all of them alike.
 */
async function perCall(probes: readonly Probe[]): Promise<number[]> {
  const batches = probes.map((): number[] => [])
  for (const probe of probes) for (let i = 0; i < probe.iterations; i++) await probe.run()
  for (let b = 0; b < BATCHES; b++) {
    for (const [p, probe] of probes.entries()) {
      const started = performance.now()
      for (let i = 0; i < probe.iterations; i++) await probe.run()
      batches[p]?.push(((performance.now() - started) * 1000) / probe.iterations)
    }
  }
  return batches.map(median)
}

function throughBot(bot: Bot, body: string): Probe {
  const chat = new TestChat(bot)
  // TestChat keeps every stanza the bot sent; emptying it keeps memory flat.
  const run = async (): Promise<void> => {
    await chat.say(SENDER, body)
    chat.sent.length = 0
  }
  return { iterations: 5_000, run }
}

function throughRouter(count: number): Probe {
  const router = new Router()
  const add = (guards: Guards<MessageContext, MessageField>): void => router.add(messageKind, compileGuards(messageKind, guards), () => undefined, guards)
  for (let i = 1; i < count; i++) add(missGuard(i))
  add(echoGuard)
  const link = { jid: 'bot@example.org/natter', log: createLogger('silent'), send: async () => {} }
  const ctx = new MessageContext(xml('message', { from: SENDER, to: link.jid, type: 'chat', id: 'm1' }, xml('body', {}, 'hello')), link)
  return { iterations: 20_000, run: () => router.dispatch(ctx) }
}

export async function runDispatchBench(counts: readonly number[] = [1, 100, 1_000]): Promise<DispatchSample[]> {
  const handlers = await perCall(counts.map((count) => throughBot(botWithHandlers(count), 'hello')))
  const routers = await perCall(counts.map(throughRouter))
  const commands = await perCall(counts.map((count) => throughBot(botWithCommands(count), 'echo hello')))
  return [
    ...counts.map((count, i) => ({ label: 'handlers', count, botUs: handlers[i] as number, routerUs: routers[i] })),
    ...counts.map((count, i) => ({ label: 'commands', count, botUs: commands[i] as number, routerUs: undefined })),
  ]
}
