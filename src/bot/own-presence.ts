import type { Show } from '../dispatch/context/presence.js'
import { type XmlElement, xml } from '../xml.js'

/**
 * The bot's own presence as it stands: the status set last, and what features add to it (a formation's payload,
 * caps) each time it goes out, after a lost session as on `setStatus`.
 */
export class OwnPresence {
  #show: Show | undefined
  #text: string | undefined
  readonly #decorators: Array<(presence: XmlElement) => void> = []

  set(show: Show | undefined, text: string | undefined): void {
    this.#show = show
    this.#text = text
  }

  decorate(decorator: (presence: XmlElement) => void): void {
    this.#decorators.push(decorator)
  }

  /** A new `<presence/>` for the status as it stands, decorated. */
  element(): XmlElement {
    const show = this.#show
    const text = this.#text
    const presence = xml('presence', {}, show && xml('show', {}, show), text !== undefined && xml('status', {}, text))
    for (const decorate of this.#decorators) decorate(presence)
    return presence
  }
}
