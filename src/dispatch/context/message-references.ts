import { NS_CHAT_MARKERS, NS_CORRECTION, NS_FASTEN, NS_REACTIONS, NS_REPLY, NS_RETRACT, NS_RETRACT_0, NS_SID } from '../../ns.js'
import type { XmlElement } from '../../xml.js'

/**
 * The message a reply answers (XEP-0461): its id, and who wrote it when the sender said.
 *
 * @example
 * ```ts
 * bot.message({ replyTo: true }, (msg) => msg.log.info({ quoted: msg.replyTo.id, author: msg.replyTo.author }, 'a reply'))
 * ```
 */
export interface ReplyTo {
  /** The id of the message replied to: in a room, the room's stanza id of it. */
  readonly id: string
  /** The JID of its author, as the sender gave it (an occupant's room JID in a room). */
  readonly author: string | undefined
}

/**
 * A reaction (XEP-0444): the emojis the sender now has on a message, which replace those they had before;
 * none when they took them all back.
 *
 * @example
 * ```ts
 * bot.message({ reaction: (r) => r.emojis.includes('👍') }, (msg) => msg.log.info({ id: msg.reaction.id }, 'liked'))
 * ```
 */
export interface Reaction {
  /** The id of the message reacted to. */
  readonly id: string
  readonly emojis: readonly string[]
}

/**
 * The chat markers of XEP-0333, from the weakest: the message reached a device, was shown, was acted on.
 *
 * @example
 * ```ts
 * bot.message({ marker: (m) => m.type === 'displayed' }, (msg) => msg.log.debug({ id: msg.marker.id }, 'read'))
 * ```
 */
export type MarkerType = 'received' | 'displayed' | 'acknowledged'

/**
 * A chat marker (XEP-0333): how far the sender got with a message the bot sent as markable.
 *
 * @example
 * ```ts
 * bot.message({ marker: true }, (msg) => msg.log.debug({ type: msg.marker.type, id: msg.marker.id }, 'marker'))
 * ```
 */
export interface Marker {
  readonly type: MarkerType
  /** The id of the message marked (and of all before it). */
  readonly id: string
}

/** What of a message refers to another message. */
export interface MessageReferences {
  readonly replyTo: ReplyTo | undefined
  readonly reaction: Reaction | undefined
  readonly correction: string | undefined
  readonly retraction: string | undefined
  readonly marker: Marker | undefined
  readonly markable: boolean
}

const MARKERS: readonly string[] = ['received', 'displayed', 'acknowledged']

/** Reads the references of a message; an element without the id it needs is ignored, as if absent. */
export function readReferences(stanza: XmlElement): MessageReferences {
  const reply = stanza.getChild('reply', NS_REPLY)
  const reactions = stanza.getChild('reactions', NS_REACTIONS)
  const marker = stanza.getChildElements().find((c) => c.attrs.xmlns === NS_CHAT_MARKERS && MARKERS.includes(c.name))
  const replyId = reply?.attrs.id
  const reactionId = reactions?.attrs.id
  const markerId = marker?.attrs.id
  return {
    replyTo: replyId ? { id: replyId, author: reply?.attrs.to || undefined } : undefined,
    reaction: reactionId ? { id: reactionId, emojis: emojisOf(reactions) } : undefined,
    correction: stanza.getChild('replace', NS_CORRECTION)?.attrs.id || undefined,
    retraction: retracted(stanza),
    marker: markerId ? { type: marker?.name as MarkerType, id: markerId } : undefined,
    markable: stanza.getChild('markable', NS_CHAT_MARKERS) !== undefined,
  }
}

function emojisOf(reactions: XmlElement | undefined): string[] {
  return (reactions?.getChildren('reaction') ?? []).map((r) => r.getText()).filter((emoji) => emoji !== '')
}

/** The id a retraction takes back: the current form, or version 0.3's fastened one. */
function retracted(stanza: XmlElement): string | undefined {
  const current = stanza.getChild('retract', NS_RETRACT)?.attrs.id
  if (current) return current
  const fastened = stanza.getChild('apply-to', NS_FASTEN)
  return (fastened?.getChild('retract', NS_RETRACT_0) && fastened.attrs.id) || undefined
}

/**
 * The id others refer to this message by: in a room, the stanza id the room stamped on it (XEP-0359),
 * as replies, reactions and markers there must use; elsewhere its own id.
 */
export function referenceId(stanza: XmlElement, room: string | undefined): string | undefined {
  if (room !== undefined) {
    const stamped = stanza.getChildren('stanza-id', NS_SID).find((s) => s.attrs.by === room)?.attrs.id
    if (stamped) return stamped
  }
  return stanza.attrs.id || undefined
}
