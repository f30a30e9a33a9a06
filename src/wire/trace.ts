import type { Logger } from '../log/logger.js'
import { NS_SM } from '../ns.js'
import type { XmlElement } from '../xml.js'
import { redact } from './redact.js'
import { SecretNames } from './secret-names.js'
import type { WireTracer } from './xmppjs.js'

/**
 * What the `-D` log shows of the wire: every element in and out, redacted, stream management's acks
 * (`<r/>`, `<a/>`) only at trace level, since they come with every burst and bury the stanzas (`secretNames`, from
 * `LOG_SECRET_NAMES`, adds to the names whose values are hidden), and each change of the stream's status.
 *
 * @example
 * ```ts
 * if (log.isLevelEnabled('debug')) xmpp.trace(wireTrace(log))
 * ```
 */
export function wireTrace(log: Logger, secretNames: readonly string[] = []): WireTracer {
  const secrets = new SecretNames(secretNames)
  return {
    in: (element) => traceStanza(log, 'xmpp in', element, secrets),
    out: (element) => traceStanza(log, 'xmpp out', element, secrets),
    status: (status) => log.debug({ status }, 'xmpp status'),
  }
}

/** Logs a stanza at debug level; logging must never break the stream, whatever came in. */
function traceStanza(log: Logger, direction: string, element: XmlElement, secrets: SecretNames): void {
  try {
    const ack = (element.name === 'r' || element.name === 'a') && element.attrs.xmlns === NS_SM
    if (ack) log.trace({ xml: redact(element, secrets) }, direction)
    else log.debug({ xml: redact(element, secrets) }, direction)
  } catch (error) {
    log.debug({ err: error }, `${direction}: cannot log this element`)
  }
}
