import type { DataForm } from '../forms/data-form.js'
import type { FormValues } from '../forms/form-values.js'

/**
 * A form an ad-hoc command asks the user to fill in at one stage: a {@link DataForm} of type `form`, whose
 * type natter sets.
 *
 * @example
 * ```ts
 * const stage: AdhocForm = { title: 'New poll', fields: [{ var: 'question', label: 'Question', required: true }] }
 * ```
 */
export type AdhocForm = Omit<DataForm, 'type'>

/**
 * One run of an ad-hoc command as it stands: who runs it, its session, and what the stages filled in so
 * far (the later stage's value when two stages share a field).
 *
 * @example
 * ```ts
 * bot.adhoc('greet', { name: 'Greet', stages: [{ fields: [{ var: 'who', required: true }] }] }, (run) => `Hello, ${run.values.who}!`)
 * ```
 */
export interface AdhocRun {
  /** The full JID of whoever runs it. */
  readonly from: string
  readonly node: string
  readonly sessionId: string
  readonly values: FormValues
}

/**
 * A stage of an ad-hoc command: a fixed form, or one made from what the earlier stages filled in.
 *
 * @example
 * ```ts
 * const stage: AdhocStage = (run) => ({ fields: [{ var: 'confirm', type: 'boolean', label: `Delete ${run.values.item}?` }] })
 * ```
 */
export type AdhocStage = AdhocForm | ((run: AdhocRun) => AdhocForm | Promise<AdhocForm>)

/**
 * What an ad-hoc command ends with: a text (the note the client shows), a result form, or nothing.
 *
 * @example
 * ```ts
 * const result: AdhocResult = { type: 'result', fields: [{ var: 'uptime', label: 'Uptime', values: ['42 s'] }] }
 * ```
 */
export type AdhocResult = string | DataForm | undefined

/**
 * Completes an ad-hoc command of the bot's own, once its stages are filled in.
 *
 * @example
 * ```ts
 * const handler: AdhocHandler = (run) => `Hello, ${run.values.who}!`
 * ```
 */
export type AdhocHandler = (run: AdhocRun) => AdhocResult | Promise<AdhocResult>

/**
 * How an ad-hoc command of the bot's own is listed, who may run it and the forms it asks for, in order.
 *
 * @example
 * ```ts
 * const options: AdhocOptions = { name: 'Restart', admin: true, stages: [{ fields: [{ var: 'reason' }] }] }
 * ```
 */
export interface AdhocOptions {
  /** What clients show in their command menu. */
  name: string
  /** Only the bot's admins see it and may run it. */
  admin?: boolean
  /** The forms it asks for, one per stage; none completes at once. */
  stages?: readonly AdhocStage[]
}

/**
 * A note of XEP-0050: what a command says besides its form.
 *
 * @example
 * ```ts
 * const note: AdhocNote = { type: 'info', text: 'Done' }
 * ```
 */
export interface AdhocNote {
  readonly type: 'info' | 'warn' | 'error'
  readonly text: string
}

/** An ad-hoc command as the plugin runs it, whether the bot's own or made from a `bot.command`. */
export interface AdhocCommand {
  readonly node: string
  readonly name: string
  readonly admin: boolean
  readonly stages: readonly AdhocStage[]
  complete(run: AdhocRun): Promise<{ notes: AdhocNote[]; form?: DataForm }>
}
