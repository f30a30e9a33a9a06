// One process of a formation wired to memory, with a server that answers what the formation asks: pings
// to the siblings that run, carbons, and the bot's own presence sent back. The clock is the test's: timers
// and performance.now() are faked, and a stall moves performance.now() on without running any timer.
import { type Bot, createBot, type XmlElement, xml } from 'natter'
import { TestChat } from 'natter/testing'
import { vi } from 'vitest'
import { NS_FORMATION } from '../../src/plugins/formation/formation.js'
import { BOT, bodies, message } from './unit.js'

export const SENDERS = Array.from({ length: 40 }, (_, i) => `user${i}@example.org/phone`)

export class FormationScene extends TestChat {
  /** The siblings that answer pings; the others are sessions killed processes left on the server. */
  readonly running = new Set<string>()
  /** Whether the server sends the bot's own presence back, as it does once it has passed it on. */
  echo = true
  readonly #pending = new Set<Promise<unknown>>()
  #stalled = 0

  constructor(readonly bot: Bot) {
    super(bot, { jid: BOT })
    this.serve((stanza) => this.#route(stanza))
  }

  /** Comes online as after a fresh login, and lets the formation's join run to its end. */
  async start(): Promise<void> {
    this.online()
    await this.passes(5_000)
  }

  /** Comes online as after a fresh login; the formation's join begins. */
  online(): void {
    const now = performance.now.bind(performance)
    vi.spyOn(performance, 'now').mockImplementation(() => now() + this.#stalled)
    this.comeOnline()
  }

  /** Time passes, in steps of 100 ms, with every timer due running. */
  async passes(ms: number): Promise<void> {
    for (let left = ms; left > 0; left -= 100) {
      await vi.advanceTimersByTimeAsync(Math.min(100, left))
      await this.settled()
    }
  }

  /** The process does not run for `ms`: the clock moves on, no timer runs. */
  stall(ms: number): void {
    this.#stalled += ms
  }

  /** Waits for what the server answered to be through. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending])
  }

  /** A sibling's presence, with its formation state. */
  sibling(jid: string, state: string, attrs: Record<string, string> = {}): Promise<XmlElement[]> {
    return this.receive(xml('presence', { from: jid, to: BOT }, xml('formation', { xmlns: NS_FORMATION, state, ...attrs })))
  }

  /** A carbon of a message a sibling sent. */
  carbon(from: string, to: string): Promise<XmlElement[]> {
    const sent = xml('message', { from, to, type: 'chat' }, xml('body', {}, 'reply'))
    return this.receive(
      xml(
        'message',
        { from: 'bot@example.org', to: BOT, type: 'chat' },
        xml('sent', { xmlns: 'urn:xmpp:carbons:2' }, xml('forwarded', { xmlns: 'urn:xmpp:forward:0' }, sent)),
      ),
    )
  }

  /** One chat message from each sender to the bot's bare JID; the senders that got an answer. */
  async round(body = 'hi'): Promise<string[]> {
    const answered: string[] = []
    for (const from of SENDERS) if (bodies(await this.receive(message({ from, to: 'bot@example.org' }, body))).length > 0) answered.push(from)
    return answered
  }

  /** The senders the bot answered among what it sent from `index` on. */
  answeredSince(index: number): string[] {
    return this.sent
      .slice(index)
      .filter((s) => s.name === 'message' && s.getChild('body'))
      .map((s) => s.attrs.to ?? '')
  }

  /** The formation state of the bot's own last presence, and its `since`. */
  ownPresence(): { state?: string; since?: string } {
    const marker = this.sent
      .filter((s) => s.name === 'presence' && !s.attrs.to)
      .at(-1)
      ?.getChild('formation', NS_FORMATION)
    return { state: marker?.attrs.state, since: marker?.attrs.since }
  }

  #route(stanza: XmlElement): void {
    const reply = this.#answer(stanza)
    if (!reply) return
    const delivery = Promise.resolve().then(() => this.receive(reply))
    this.#pending.add(delivery)
    delivery.finally(() => this.#pending.delete(delivery)).catch(() => {})
  }

  #answer(stanza: XmlElement): XmlElement | undefined {
    const { to, id, type } = stanza.attrs
    if (stanza.name === 'iq' && type === 'get' && stanza.getChild('ping', 'urn:xmpp:ping') && to && this.running.has(to)) {
      return xml('iq', { type: 'result', id, from: to, to: BOT })
    }
    if (stanza.name === 'iq' && type === 'set' && stanza.getChild('enable', 'urn:xmpp:carbons:2')) return xml('iq', { type: 'result', id, to: BOT })
    if (stanza.name === 'presence' && !to && this.echo) {
      const back = xml('presence', { from: BOT, to: BOT })
      for (const child of stanza.getChildElements()) back.append(child)
      return back
    }
    return undefined
  }
}

/** An echo bot in a formation scene, online and past its join, with a takeover time of 5 s. */
export async function formationScene(): Promise<FormationScene> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] })
  const bot = createBot({ env: {} })
  bot.message({ type: 'chat', body: true }, (msg) => msg.reply(`You said: ${msg.body}`))
  const scene = new FormationScene(bot)
  await scene.start()
  return scene
}
