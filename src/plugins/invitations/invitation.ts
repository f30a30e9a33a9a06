import { type ContextLink, StanzaContext } from '../../dispatch/context/stanza-context.js'
import { defineKind } from '../../dispatch/stanza-kind.js'
import { parseJid } from '../../jid.js'
import { NS_CONFERENCE, NS_MUC_USER } from '../../ns.js'
import { type XmlElement, xml } from '../../xml.js'

/** An invitation as the stanza gives it, before any policy looks at it. */
export interface InvitationDetails {
  readonly room: string
  readonly inviter: string
  readonly reason: string | undefined
  readonly password: string | undefined
  /** `mediated` through the room (XEP-0045), `direct` from the inviter (XEP-0249). */
  readonly form: 'mediated' | 'direct'
}

/** What the invitations feature does when a handler accepts. */
export interface InvitationActions {
  accept(invitation: InvitationDetails, nick: string | undefined): Promise<void>
}

/**
 * An invitation to a room, in either form: mediated by the room (XEP-0045, `from` is who the room says
 * invited the bot) or direct from the inviter (XEP-0249). Never log `password`.
 *
 * @example
 * ```ts
 * bot.invitation({ room: /@conference\.example\.org$/ }, (invite) => invite.accept())
 * ```
 */
export class InvitationContext extends StanzaContext {
  readonly kind = 'invitation'
  /** Who invited the bot: for a mediated invitation, as the room tells it. */
  override readonly from: string
  /** The room's bare JID. */
  readonly room: string
  readonly reason: string | undefined
  /** The room's password, when the invitation carries one. */
  readonly password: string | undefined
  readonly form: 'mediated' | 'direct'
  readonly #details: InvitationDetails
  readonly #actions: InvitationActions

  /** @internal Made by the `invitation` stanza kind. */
  constructor(stanza: XmlElement, details: InvitationDetails, link: ContextLink, actions: InvitationActions) {
    super(stanza, link)
    this.from = details.inviter
    this.room = details.room
    this.reason = details.reason
    this.password = details.password
    this.form = details.form
    this.#details = details
    this.#actions = actions
  }

  /**
   * Joins the room (with the invitation's password) and remembers it, so that the bot joins it again
   * after a restart. Resolves once the room let the bot in.
   *
   * @example
   * ```ts
   * bot.invitation({ from: 'alice@example.org' }, (invite) => invite.accept({ nick: 'helper' }))
   * ```
   */
  accept(options: { nick?: string } = {}): Promise<void> {
    return this.#actions.accept(this.#details, options.nick)
  }

  /**
   * Declines: a mediated invitation's decline goes back through the room to the inviter; a direct one
   * has no decline in its protocol, so nothing is sent.
   *
   * @example
   * ```ts
   * bot.invitation((invite) => invite.decline('I only join rooms of example.org'))
   * ```
   */
  async decline(reason?: string): Promise<void> {
    if (this.form === 'direct') return
    await this.send(
      xml('message', { to: this.room }, xml('x', { xmlns: NS_MUC_USER }, xml('decline', { to: this.from }, reason !== undefined && xml('reason', {}, reason)))),
    )
  }
}

/**
 * Fields an invitation guard can test.
 *
 * @example
 * ```ts
 * bot.invitation({ form: 'direct', room: 'team@conference.example.org' }, (invite) => invite.accept())
 * ```
 */
export type InvitationField = 'from' | 'room' | 'reason' | 'form'

declare module '../../dispatch/composer.js' {
  interface StanzaKinds {
    invitation: { context: InvitationContext; field: InvitationField }
  }
}

/** The invitation a message carries, if it carries a well-formed one. */
export function readInvitation(stanza: XmlElement): InvitationDetails | undefined {
  if (stanza.attrs.type === 'error' || stanza.attrs.type === 'groupchat') return undefined
  const from = parseJid(stanza.attrs.from ?? '')
  if (!from) return undefined
  const user = stanza.getChild('x', NS_MUC_USER)
  const invite = user?.getChild('invite')
  if (user && invite) {
    // Mediated: the room sends it, from its bare JID, and names the inviter.
    const inviter = parseJid(invite.attrs.from ?? '')
    if (!from.local || from.resource || !inviter) return undefined
    return { room: from.bare, inviter: inviter.full, reason: textOf(invite.getChild('reason')), password: textOf(user.getChild('password')), form: 'mediated' }
  }
  const direct = stanza.getChild('x', NS_CONFERENCE)
  const room = parseJid(direct?.attrs.jid ?? '')
  if (!direct || !room?.local || room.resource) return undefined
  return { room: room.bare, inviter: from.full, reason: direct.attrs.reason, password: direct.attrs.password, form: 'direct' }
}

function textOf(element: XmlElement | undefined): string | undefined {
  return element === undefined ? undefined : element.getText()
}

/** Messages that invite the bot to a room: their own kind, so chat handlers never see them. */
export function invitationKind(actions: InvitationActions) {
  return defineKind<InvitationContext, InvitationField>({
    name: 'invitation',
    element: 'message',
    fields: ['from', 'room', 'reason', 'form'],
    indexed: ['room', 'from'],
    jidFields: ['from', 'room'],
    accepts: (stanza) => readInvitation(stanza) !== undefined,
    create: (stanza, link) => {
      const details = readInvitation(stanza)
      return details && new InvitationContext(stanza, details, link, actions)
    },
  })
}
