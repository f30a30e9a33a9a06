import { StanzaError } from '../errors.js'
import type { IqAnswer } from '../iq-answer.js'
import type { Logger } from '../log/logger.js'
import type { XmlElement } from '../xml.js'
import { overBytes } from './write-lane.js'
import type { IqReply } from './xmppjs.js'

/** How the ids of natter's liveness pings start, so that their answers are told from other IQs. */
export const LIVENESS_PING_ID = 'natter-ping-'
/** Room for the `<iq/>` around an answer's payload: two full JIDs and an id. */
const IQ_ENVELOPE = 4 * 1024

/**
 * Answers the IQs that reach the end of xmpp.js's middleware (the requests its own handlers leave, and
 * replies its caller was not waiting for) with the bot's answer, which xmpp.js's IQ callee writes; an
 * answer bigger than the server takes becomes an error, since the server would end the stream over it.
 *
 * @example
 * ```ts
 * const iqs = new IqBridge((iq) => bot.receive(iq), lane, log)
 * const reply = await iqs.answer(request)
 * ```
 */
export class IqBridge {
  constructor(
    private readonly answering: (iq: XmlElement) => IqAnswer | Promise<IqAnswer>,
    private readonly limit: { readonly maxBytes: number },
    private readonly log: Logger,
  ) {}

  async answer(iq: XmlElement): Promise<IqReply> {
    if (iq.attrs.id?.startsWith(LIVENESS_PING_ID) && iq.attrs.type !== 'get' && iq.attrs.type !== 'set') {
      return undefined // the answer to a liveness ping
    }
    const answer = await this.answering(iq)
    // The IQ callee of xmpp.js turns what this returns into the reply: an <error/> element becomes
    // an error reply, another element the result's child, any other truthy value an empty result.
    if (!answer) return undefined
    if ('error' in answer) return answer.error
    if (answer.result && overBytes(answer.result.toString(), this.limit.maxBytes - IQ_ENVELOPE)) {
      this.log.warn({ from: iq.attrs.from, id: iq.attrs.id }, 'the answer to an IQ is bigger than the server takes; answering with an error')
      return new StanzaError('internal-server-error', 'cancel', 'the answer is bigger than the server takes').toElement()
    }
    return answer.result ?? {}
  }
}
