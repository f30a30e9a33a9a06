import type { BotCore } from '../../bot/bot-core.js'
import type { Exact, Guards, Narrow } from '../../dispatch/guards.js'
import type { Handler } from '../../dispatch/router.js'
import type { StanzaKind } from '../../dispatch/stanza-kind.js'
import { bareJid } from '../../jid.js'
import type { RoomsFeature, RoomsOptions } from '../rooms/rooms.js'
import type { RosterFeature, RosterItem } from '../roster/roster.js'
import { natterNamespace, type Store, type StoreFeature } from '../store/store.js'
import { type InvitationContext, type InvitationDetails, type InvitationField, invitationKind } from './invitation.js'
import { INVITATIONS_SETTINGS, type InvitePolicy, readInvitePolicy } from './settings.js'

/** How an accepted room is remembered: what joining it again takes. */
interface RememberedRoom {
  nick?: string
  password?: string
}

/**
 * The rooms the bot joined on an invitation, kept in its store and joined again after every restart.
 *
 * @example
 * ```ts
 * for (const room of await bot.invitations.remembered()) bot.log.info({ room }, 'joined on an invitation')
 * ```
 */
export class InvitedRooms {
  /** @internal Made by the {@link invitations} feature. */
  constructor(
    private readonly bot: BotCore & RoomsFeature,
    private readonly kept: Store,
  ) {}

  /**
   * The rooms remembered, as bare JIDs.
   *
   * @example
   * ```ts
   * const rooms = await bot.invitations.remembered()
   * ```
   */
  remembered(): Promise<string[]> {
    return this.kept.list()
  }

  /**
   * Leaves a room joined on an invitation and forgets it, so that the next start does not join it.
   *
   * @example
   * ```ts
   * bot.command('leave <room>', { description: 'Leaves a room', admin: true }, (cmd) => bot.invitations.forget(cmd.args.room))
   * ```
   */
  async forget(room: string): Promise<void> {
    await this.kept.delete(bareJid(room))
    await this.bot.rooms.leave(room)
  }

  /** @internal Joins the room an invitation names, then remembers it. */
  async accept(invitation: InvitationDetails, nick: string | undefined): Promise<void> {
    await this.bot.rooms.join(invitation.room, { nick, password: invitation.password })
    const kept: RememberedRoom = {}
    if (nick !== undefined) kept.nick = nick
    if (invitation.password !== undefined) kept.password = invitation.password
    await this.kept.set(invitation.room, kept)
    this.bot.log.info({ room: invitation.room, inviter: invitation.inviter }, 'joined room on an invitation')
  }

  /** @internal Joins every remembered room again, as after a restart. */
  async rejoin(): Promise<void> {
    for (const room of await this.kept.list()) {
      const kept = await this.kept.get<RememberedRoom>(room)
      this.bot.rooms
        .join(room, { nick: kept?.nick, password: kept?.password })
        .catch((e: unknown) => this.bot.log.warn({ room, err: e }, 'cannot rejoin a room joined on an invitation'))
    }
  }
}

/**
 * What invitations add to a bot.
 *
 * @example
 * ```ts
 * bot.invitation({ from: 'alice@example.org' }, (invite) => invite.accept())
 * ```
 */
export interface InvitationsFeature {
  /** The rooms joined on an invitation, remembered across restarts. */
  readonly invitations: InvitedRooms
  /**
   * Handles invitations to rooms, mediated (XEP-0045) or direct (XEP-0249). A handler that takes one
   * decides: `invite.accept()` or `invite.decline()`. Those no handler takes go to the policy of
   * `rooms.acceptInvites`.
   *
   * @example
   * ```ts
   * bot.invitation({ room: /@conference\.example\.org$/ }, (invite) => invite.accept())
   * ```
   */
  invitation(handler: Handler<InvitationContext>): this
  invitation<const G extends Guards<InvitationContext, InvitationField>>(
    guards: G & Exact<G, InvitationField>,
    handler: Handler<Narrow<InvitationContext, G>>,
  ): this
}

/**
 * Invitations to rooms (XEP-0045 mediated, XEP-0249 direct) as a stanza kind of their own, and the
 * ready policy of `rooms.acceptInvites` (`XMPP_ACCEPT_INVITES`) for those no handler takes. Rooms
 * accepted are kept in the store and joined again at every start. A mediated invitation names its
 * inviter as the room claims it: the policy believes that only from a room service the rooms feature
 * trusts. `createBot()` installs it.
 *
 * @example
 * ```ts
 * const bot = createBot({ rooms: { acceptInvites: 'admins' }, admins: ['ops@example.org'] })
 * ```
 */
export function invitations(options: RoomsOptions = {}): (bot: BotCore & RoomsFeature & RosterFeature & StoreFeature) => InvitationsFeature {
  return (bot) => {
    bot.settingsTable.add(...Object.values(INVITATIONS_SETTINGS))
    const rooms = new InvitedRooms(bot, natterNamespace(bot.store, 'natter.rooms'))
    bot.defineKind(invitationKind({ accept: (invitation, nick) => rooms.accept(invitation, nick) }) as unknown as StanzaKind)
    const option = Array.isArray(options.rooms) ? undefined : (options.rooms as { acceptInvites?: InvitePolicy } | undefined)?.acceptInvites
    const register = bot.handle.bind(bot) as (kind: 'invitation', ...args: unknown[]) => unknown
    const roster = new FreshRoster(bot)
    bot.onStart((env) => {
      const policy = readInvitePolicy(option, env)
      // After the bot's own handlers: the policy takes only what they left.
      register('invitation', (invite: InvitationContext) => {
        return decide(bot, roster, policy, invite)
      })
    })
    let first = true
    bot.on('ready', ({ resumed }) => {
      if (!resumed) roster.stale()
      if (resumed || !first) return
      first = false
      rooms.rejoin().catch((e: unknown) => bot.log.warn({ err: e }, 'cannot read the rooms joined on invitations'))
    })
    return {
      invitations: rooms,
      invitation(this: InvitationsFeature, ...args: unknown[]) {
        register('invitation', ...args)
        return this
      },
    } as InvitationsFeature
  }
}

/** Accepts an invitation the policy allows; logs one it does not. */
async function decide(bot: BotCore & RoomsFeature, roster: FreshRoster, policy: InvitePolicy, invite: InvitationContext): Promise<void> {
  if (policy !== false && (await allowed(bot, roster, policy, invite))) return invite.accept()
  invite.log.info({ room: invite.room, inviter: invite.from, policy }, 'invitation not accepted (rooms.acceptInvites)')
}

/** Whether the policy accepts an invitation from this inviter. */
async function allowed(bot: BotCore & RoomsFeature, roster: FreshRoster, policy: 'contacts' | 'admins', invite: InvitationContext): Promise<boolean> {
  // A room on a service anyone can run may claim any inviter.
  if (invite.form === 'mediated' && !bot.rooms.trusts(invite.room)) return false
  if (bot.isAdmin(invite.from)) return true
  if (policy === 'admins') return false
  const subscription = (await roster.item(invite.from))?.subscription
  return subscription === 'both' || subscription === 'from' || subscription === 'to'
}

/**
 * The roster as the policy reads it. An invitation can come in the moment the bot is online (kept by
 * the server while it was away), before the roster's first fetch is answered: a JID not found is
 * looked for again after fetching the roster, once per session.
 */
class FreshRoster {
  #loaded: Promise<unknown> | undefined

  constructor(private readonly bot: BotCore & RosterFeature) {}

  stale(): void {
    this.#loaded = undefined
  }

  async item(jid: string): Promise<RosterItem | undefined> {
    const known = this.bot.roster.get(jid)
    if (known) return known
    this.#loaded ??= this.bot.roster.load().catch((e: unknown) => this.bot.log.warn({ err: e }, 'cannot load the roster'))
    await this.#loaded
    return this.bot.roster.get(jid)
  }
}
