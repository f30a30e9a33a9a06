import type { BotCore } from '../../bot/bot-core.js'
import type { CommandContext, CommandSpec } from '../../dispatch/commands.js'
import { MessageContext } from '../../dispatch/context/message.js'
import type { ContextLink } from '../../dispatch/context/stanza-context.js'
import { bareJid } from '../../jid.js'
import { type XmlElement, xml } from '../../xml.js'
import type { FormField } from '../forms/data-form.js'
import type { AdhocCommand, AdhocForm, AdhocNote, AdhocRun } from './adhoc-command.js'

/**
 * The form that asks for a command's arguments: a required field for `<arg>`, an optional one for `[arg]`,
 * a multi-line one for the rest of the line (`<text...>`).
 */
export function argumentsForm(spec: CommandSpec): AdhocForm {
  const fields = spec.params.map(
    (param): FormField => ({
      var: param.name,
      type: param.rest ? 'text-multi' : 'text-single',
      label: param.name,
      required: !param.optional,
    }),
  )
  return { title: spec.name, instructions: [spec.description], fields }
}

/**
 * A `bot.command` as an ad-hoc command: its node and name are the command's name; with arguments it asks
 * for them in one form. Its handler runs as for a chat message from the requester that spelled the command
 * out, and what it replies to the requester becomes the notes; anything else it sends goes out as usual.
 * The bot's middleware does not run: an ad-hoc run is an IQ, not a message.
 */
export function commandAsAdhoc(bot: BotCore, spec: CommandSpec): AdhocCommand {
  return {
    node: spec.name,
    name: spec.name,
    admin: spec.admin,
    stages: spec.params.length > 0 ? [argumentsForm(spec)] : [],
    complete: async (run) => {
      const args: Record<string, string | undefined> = {}
      for (const param of spec.params) {
        const value = run.values[param.name]
        args[param.name] = typeof value === 'string' && value !== '' ? value : undefined
      }
      const notes: AdhocNote[] = []
      const ctx = new MessageContext(spelledOut(bot, run, spec, args), capturing(bot, run.from, notes))
      Object.assign(ctx, { command: spec.name, args })
      await spec.handler(ctx as unknown as CommandContext, async () => false)
      return { notes }
    },
  }
}

/** The chat message the run stands for: the command line as the requester would have typed it. */
function spelledOut(bot: BotCore, run: AdhocRun, spec: CommandSpec, args: Record<string, string | undefined>): XmlElement {
  const line = [spec.name, ...spec.params.map((p) => args[p.name]).filter((a) => a !== undefined)].join(' ')
  return xml('message', { from: run.from, to: bot.jid, type: 'chat', id: run.sessionId }, xml('body', {}, line))
}

/** A link that keeps what the handler says to the requester as notes, and sends the rest. */
function capturing(bot: BotCore, requester: string, notes: AdhocNote[]): ContextLink {
  return {
    get jid() {
      return bot.jid
    },
    get log() {
      return bot.log
    },
    send: async (stanza) => {
      const to = stanza.attrs.to
      if (stanza.name !== 'message' || to === undefined || bareJid(to) !== bareJid(requester)) return bot.send(stanza)
      const body = stanza.getChildText('body')
      // A chat state (typing) has no body: nothing to show in a form.
      if (body !== null) notes.push({ type: 'info', text: body })
    },
  }
}
