import type { BotCore } from '../../bot/bot-core.js'
import type { IqContext } from '../../dispatch/context/iq.js'
import { StanzaError } from '../../errors.js'
import { NS_COMMANDS, NS_DATA } from '../../ns.js'
import { type XmlElement, xml } from '../../xml.js'
import type { DiscoveryFeature } from '../discovery/discovery.js'
import { dataForm, parseDataForm } from '../forms/data-form.js'
import { FormError, readForm } from '../forms/form-values.js'
import type { AdhocCommand, AdhocHandler, AdhocNote, AdhocOptions, AdhocRun } from './adhoc-command.js'
import { commandAsAdhoc } from './command-as-adhoc.js'
import { type AdhocSession, Sessions } from './sessions.js'

const ACTIONS: readonly string[] = ['execute', 'next', 'prev', 'complete', 'cancel']

/** An XEP-0050 error: a defined condition with the XEP's own beside it. */
const commandError = (condition: string, type: 'modify' | 'cancel', specific: string): StanzaError =>
  new StanzaError(condition, type, undefined, xml(specific, { xmlns: NS_COMMANDS }))

/**
 * What ad-hoc commands add to a bot.
 *
 * @example
 * ```ts
 * function addStatus(bot: BotCore & AdhocFeature): void { bot.adhoc('status', 'Status', () => 'All good') }
 * ```
 */
export interface AdhocFeature {
  /**
   * Registers an ad-hoc command of the bot's own (XEP-0050), listed in clients' command menus: each stage
   * asks for a form (the user can go back with `prev` and cancel at any time), then `handler` completes it
   * with a note or a result form. A command with no stages completes at once. Sessions between stages
   * expire after 10 minutes. `bot.command`s are ad-hoc commands already; register here what needs forms.
   *
   * @example
   * ```ts
   * bot.adhoc('poll', { name: 'Create a poll', stages: [{ fields: [{ var: 'question', label: 'Question', required: true }] }] }, (run) =>
   *   `Poll created: ${run.values.question}`,
   * )
   * ```
   */
  adhoc(node: string, options: string | AdhocOptions, handler: AdhocHandler): this
}

/**
 * Ad-hoc commands (XEP-0050): every `bot.command` and every `bot.adhoc()` is listed under the commands node
 * of service discovery (admin ones only to admins) and runs from a client's command menu, asking for its
 * arguments in a data form (XEP-0004). `createBot()` installs it.
 *
 * @example
 * ```ts
 * const bot = new BotCore(options).install(discovery({ name: 'natter' })).install(adhoc())
 * ```
 */
export function adhoc(now: () => number = Date.now): (bot: BotCore & DiscoveryFeature) => AdhocFeature {
  return (bot) => {
    const own = new Map<string, AdhocCommand>()
    const sessions = new Sessions(now)
    const find = (node: string): AdhocCommand | undefined => {
      const mine = own.get(node)
      if (mine) return mine
      const spec = bot.commandSpecs.find((c) => c.name === node)
      return spec && commandAsAdhoc(bot, spec)
    }
    const visible = (from: string): AdhocCommand[] =>
      [...own.values(), ...bot.commandSpecs.filter((c) => !own.has(c.name)).map((c) => commandAsAdhoc(bot, c))].filter((c) => !c.admin || bot.isAdmin(from))

    bot.discoNodes.add(NS_COMMANDS, { items: (from) => visible(from).map((c) => ({ node: c.node, name: c.name })) })
    bot.discoNodes.add((node) => find(node) !== undefined, {
      info: (from, node) => {
        const command = visible(from).find((c) => c.node === node)
        return (
          command && [
            xml('identity', { category: 'automation', type: 'command-node', name: command.name }),
            xml('feature', { var: NS_COMMANDS }),
            xml('feature', { var: NS_DATA }),
          ]
        )
      },
    })
    bot.iq({ type: 'set', xmlns: NS_COMMANDS, element: 'command' }, (iq) => step(iq))

    async function step(iq: IqContext): Promise<XmlElement> {
      const node = iq.query.attrs.node ?? ''
      const command = find(node)
      if (!command) throw new StanzaError('item-not-found', 'cancel')
      if (command.admin && !bot.isAdmin(iq.from)) throw new StanzaError('forbidden', 'cancel')
      const action = iq.query.attrs.action ?? 'execute'
      if (!ACTIONS.includes(action)) throw commandError('bad-request', 'modify', 'malformed-action')
      const id = iq.query.attrs.sessionid
      if (id === undefined) {
        if (action !== 'execute') throw commandError('bad-request', 'modify', 'bad-action')
        const session = sessions.open(node, iq.from)
        if (!session) throw new StanzaError('resource-constraint', 'wait', 'too many ad-hoc sessions at once')
        return command.stages.length === 0 ? complete(command, session) : present(command, session)
      }
      const found = sessions.find(id)
      if (found.kind === 'expired') throw commandError('not-allowed', 'cancel', 'session-expired')
      if (found.kind === 'unknown' || found.session.from !== iq.from || found.session.node !== node) {
        throw commandError('bad-request', 'modify', 'bad-sessionid')
      }
      const session = found.session
      const submitted = iq.query.getChild('x', NS_DATA)
      if (action === 'cancel' || submitted?.attrs.type === 'cancel') {
        sessions.close(id)
        return response(session, 'canceled')
      }
      const last = session.stage === command.stages.length - 1
      if (action === 'prev') {
        if (session.stage === 0) throw commandError('bad-request', 'modify', 'bad-action')
        session.stage--
        return present(command, session)
      }
      // `next` at the last stage completes, for clients that send it whatever the actions offer.
      if (action === 'complete' && !last) throw commandError('bad-request', 'modify', 'bad-action')
      if (!submitted) throw commandError('bad-request', 'modify', 'bad-payload')
      let values: AdhocRun['values']
      try {
        values = readForm(session.asked[session.stage] ?? { type: 'form', fields: [] }, parseDataForm(submitted))
      } catch (error) {
        if (!(error instanceof FormError || error instanceof TypeError)) throw error
        return present(command, session, { type: 'error', text: error.message })
      }
      session.answers[session.stage] = values
      session.answers.length = session.stage + 1
      if (last) return complete(command, session)
      session.stage++
      return present(command, session)
    }

    function runOf(session: AdhocSession): AdhocRun {
      return { from: session.from, node: session.node, sessionId: session.id, values: Object.assign({}, ...session.answers) }
    }

    async function present(command: AdhocCommand, session: AdhocSession, note?: AdhocNote): Promise<XmlElement> {
      const stage = command.stages[session.stage] ?? { fields: [] }
      const form = typeof stage === 'function' ? await stage(runOf(session)) : stage
      const asked = { ...form, type: 'form' as const }
      session.asked[session.stage] = asked
      const last = session.stage === command.stages.length - 1
      const actions = xml('actions', { execute: last ? 'complete' : 'next' }, session.stage > 0 && xml('prev'), xml(last ? 'complete' : 'next'))
      return response(session, 'executing', actions, note && noteElement(note), dataForm(asked))
    }

    async function complete(command: AdhocCommand, session: AdhocSession): Promise<XmlElement> {
      sessions.close(session.id)
      try {
        const { notes, form } = await command.complete(runOf(session))
        return response(session, 'completed', notes.map(noteElement), form && dataForm(form))
      } catch (error) {
        if (error instanceof StanzaError) throw error
        bot.log.error({ err: error, node: command.node, from: session.from }, 'ad-hoc command failed')
        return response(session, 'completed', noteElement({ type: 'error', text: 'The command failed.' }))
      }
    }

    return {
      adhoc(this: BotCore & AdhocFeature, node: string, options: string | AdhocOptions, handler: AdhocHandler) {
        if (node === '' || own.has(node)) throw new TypeError(`ad-hoc command "${node}": ${node === '' ? 'the node is empty' : 'registered twice'}`)
        const { name, admin = false, stages = [] } = typeof options === 'string' ? { name: options } : options
        own.set(node, {
          node,
          name,
          admin,
          stages,
          complete: async (run) => {
            const result = await handler(run)
            if (result === undefined) return { notes: [] }
            return typeof result === 'string' ? { notes: [{ type: 'info', text: result }] } : { notes: [], form: result }
          },
        })
        return this
      },
    }
  }
}

function response(session: AdhocSession, status: 'executing' | 'completed' | 'canceled', ...children: Parameters<typeof xml>[2][]): XmlElement {
  return xml('command', { xmlns: NS_COMMANDS, node: session.node, sessionid: session.id, status }, ...children)
}

function noteElement(note: AdhocNote): XmlElement {
  return xml('note', { type: note.type }, note.text)
}
