import type { Logger } from '../log/logger.js'
import type { XmlElement } from '../xml.js'
import { redact } from './redact.js'
import type { WireTracer } from './xmppjs.js'

/**
 * What the `-D` log shows of the wire: every element in and out, redacted, and each change of the
 * stream's status.
 *
 * @example
 * ```ts
 * if (log.isLevelEnabled('debug')) xmpp.trace(wireTrace(log))
 * ```
 */
export function wireTrace(log: Logger): WireTracer {
  return {
    in: (element) => traceStanza(log, 'xmpp in', element),
    out: (element) => traceStanza(log, 'xmpp out', element),
    status: (status) => log.debug({ status }, 'xmpp status'),
  }
}

/** Logs a stanza at debug level; logging must never break the stream, whatever came in. */
function traceStanza(log: Logger, direction: string, element: XmlElement): void {
  try {
    log.debug({ xml: redact(element) }, direction)
  } catch (error) {
    log.debug({ err: error }, `${direction}: cannot log this element`)
  }
}
