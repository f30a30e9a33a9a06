import { StanzaError } from '../errors.js'
import { NS_COMMANDS, NS_DATA } from '../ns.js'
import type { AdhocNote } from '../plugins/adhoc/adhoc-command.js'
import { type DataForm, dataForm, parseDataForm } from '../plugins/forms/data-form.js'
import type { FormValue } from '../plugins/forms/form-values.js'
import { type XmlElement, xml } from '../xml.js'

/**
 * Where a test's ad-hoc run stopped: completed (with its notes, or a result form), canceled, or still
 * executing, with the form that asks for what the test did not give.
 *
 * @example
 * ```ts
 * const run = await alice.adhoc('echo', { text: 'hi' })
 * expect(run).toMatchObject({ status: 'completed', text: 'hi' })
 * ```
 */
export interface AdhocOutcome {
  readonly status: 'executing' | 'completed' | 'canceled'
  readonly sessionId: string | undefined
  readonly notes: readonly AdhocNote[]
  /** The notes' texts, one a line. */
  readonly text: string
  /** The form asked for (executing) or the result form (completed), if any. */
  readonly form: DataForm | undefined
}

/** Stages at most one run goes through: a form asked again and again is returned, not looped on. */
const MAX_STEPS = 20

/**
 * Runs an ad-hoc command as a client would: executes it, then fills in each form it asks for from
 * `values` and goes on, until it completes or asks for a required field `values` lacks. An error reply
 * rejects with its `StanzaError`.
 */
export async function runAdhoc(
  iq: (payload: XmlElement) => Promise<XmlElement>,
  node: string,
  values: Readonly<Record<string, FormValue>> | undefined,
): Promise<AdhocOutcome> {
  let outcome = read(await iq(xml('command', { xmlns: NS_COMMANDS, node, action: 'execute' })))
  for (let step = 0; step < MAX_STEPS && values && outcome.status === 'executing' && outcome.form; step++) {
    const asked = outcome.form.fields.filter((f) => f.var !== undefined && f.type !== 'fixed')
    const missing = asked.some((f) => f.required && values[f.var as string] === undefined)
    if (missing || outcome.notes.some((n) => n.type === 'error')) break
    const fields = asked.filter((f) => values[f.var as string] !== undefined).map((f) => ({ var: f.var, values: asText(values[f.var as string] as FormValue) }))
    const action = outcome.action ?? 'complete'
    outcome = read(await iq(xml('command', { xmlns: NS_COMMANDS, node, action, sessionid: outcome.sessionId }, dataForm({ type: 'submit', fields }))))
  }
  const { action: _, ...rest } = outcome
  return rest
}

function asText(value: FormValue): string[] {
  if (typeof value === 'boolean') return [value ? '1' : '0']
  return typeof value === 'string' ? [value] : [...value]
}

function read(reply: XmlElement): AdhocOutcome & { action: string | undefined } {
  if (reply.attrs.type === 'error') throw StanzaError.fromStanza(reply)
  const command = reply.getChild('command', NS_COMMANDS)
  if (!command) throw new Error('the bot answered without a <command/>')
  const notes = command.getChildren('note').map((n) => ({ type: (n.attrs.type ?? 'info') as AdhocNote['type'], text: n.getText() }))
  const x = command.getChild('x', NS_DATA)
  return {
    status: command.attrs.status as AdhocOutcome['status'],
    sessionId: command.attrs.sessionid,
    notes,
    text: notes.map((n) => n.text).join('\n'),
    form: x && parseDataForm(x),
    action: command.getChild('actions')?.attrs.execute,
  }
}
