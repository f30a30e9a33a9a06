// Type tests of the DSL: what handlers see once their guards matched. Checked by tsc, never run.

import {
  type ChatState,
  type CommandArgs,
  createBot,
  type Exact,
  type IqContext,
  type MarkerType,
  type MessageContext,
  type MessageField,
  type MessageType,
  type Narrow,
  type PresenceContext,
  type Reaction,
  type ReplyTo,
  type RosterSubscription,
  type Show,
  type SubscriptionContext,
  xml,
} from 'natter'
import { describe, expectTypeOf, it } from 'vitest'

const bot = createBot()

describe('message guards', () => {
  it('make a required field present and narrow a literal', () => {
    bot.message({ type: 'chat', body: true }, (ctx) => {
      expectTypeOf(ctx.body).toEqualTypeOf<string>()
      expectTypeOf(ctx.type).toEqualTypeOf<'chat'>()
      expectTypeOf(ctx.subject).toEqualTypeOf<string | undefined>()
    })
  })

  it('leave every optional field optional without guards', () => {
    bot.message((ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<MessageContext>()
      expectTypeOf(ctx.body).toEqualTypeOf<string | undefined>()
      expectTypeOf(ctx.type).toEqualTypeOf<MessageType>()
      expectTypeOf(ctx.match).toEqualTypeOf<RegExpMatchArray | undefined>()
    })
  })

  it('give a RegExp match to the handler, and make its field present', () => {
    bot.message({ body: /^roll (\d+)$/ }, (ctx) => {
      expectTypeOf(ctx.match).toEqualTypeOf<RegExpMatchArray>()
      expectTypeOf(ctx.body).toEqualTypeOf<string>()
    })
  })

  it('give a match when every pattern of a field is a RegExp', () => {
    bot.message({ body: [/^hi/, /^hello/] }, (ctx) => {
      expectTypeOf(ctx.match).toEqualTypeOf<RegExpMatchArray>()
    })
  })

  it('keep the match optional when a plain value may have matched instead of the RegExp', () => {
    bot.message({ body: ['hi', /^hello/] }, (ctx) => {
      expectTypeOf(ctx.match).toEqualTypeOf<RegExpMatchArray | undefined>()
      expectTypeOf(ctx.body).toEqualTypeOf<string>()
    })
    bot.message([{ body: /^a/ }, { body: 'b' }], (ctx) => {
      expectTypeOf(ctx.match).toEqualTypeOf<RegExpMatchArray | undefined>()
    })
  })

  it('narrow to the union of the values an array lists', () => {
    bot.message({ type: ['chat', 'normal'] }, (ctx) => {
      expectTypeOf(ctx.type).toEqualTypeOf<'chat' | 'normal'>()
    })
    bot.message({ chatState: ['composing', 'paused'] }, (ctx) => {
      expectTypeOf(ctx.chatState).toEqualTypeOf<'composing' | 'paused'>()
    })
  })

  it('give a predicate the present field type, and make the field present', () => {
    bot.message({ subject: (subject) => expectTypeOf(subject).toEqualTypeOf<string>() === undefined || subject.length > 0 }, (ctx) => {
      expectTypeOf(ctx.subject).toEqualTypeOf<string>()
    })
  })

  it('make a flag required by `true` true', () => {
    bot.message({ type: 'groupchat', mentioned: true }, (ctx) => {
      expectTypeOf(ctx.mentioned).toEqualTypeOf<true>()
      expectTypeOf(ctx.type).toEqualTypeOf<'groupchat'>()
    })
  })

  it('make the room fields a guard implies present: a groupchat has a room, a mention also a nick', () => {
    bot.message({ type: 'groupchat', mentioned: true }, (ctx) => {
      expectTypeOf(ctx.room).toEqualTypeOf<string>()
      expectTypeOf(ctx.nick).toEqualTypeOf<string>()
    })
    bot.message({ type: 'groupchat' }, (ctx) => {
      expectTypeOf(ctx.room).toEqualTypeOf<string>()
      expectTypeOf(ctx.nick).toEqualTypeOf<string | undefined>()
    })
    bot.message({ type: 'chat' }, (ctx) => {
      expectTypeOf(ctx.room).toEqualTypeOf<string | undefined>()
    })
  })

  it('name the fields that exist when a guard names one that does not', () => {
    type Unknown = Exact<{ bdy: 'x' }, MessageField>
    expectTypeOf<Unknown['bdy']['fields are']>().toEqualTypeOf<MessageField>()
    expectTypeOf<Unknown['bdy']['no such field']>().toEqualTypeOf<'bdy'>()
  })

  it('make optional fields present: room, nick, delayedAt', () => {
    bot.message({ room: 'lobby@conference.example.org', nick: true, delayedAt: true }, (ctx) => {
      // A JID field: matched without regard to case, so the guard's spelling is not the field's value.
      expectTypeOf(ctx.room).toEqualTypeOf<string>()
      expectTypeOf(ctx.nick).toEqualTypeOf<string>()
      expectTypeOf(ctx.delayedAt).toEqualTypeOf<Date>()
    })
  })

  it('keep from and to plain strings, since a bare JID also matches full ones', () => {
    bot.message({ from: 'alice@example.org' }, (ctx) => {
      expectTypeOf(ctx.from).toEqualTypeOf<string>()
    })
  })

  it('give the union of what each guard of a list narrows', () => {
    bot.message([{ type: 'chat', body: true }, { type: 'groupchat' }], (ctx) => {
      expectTypeOf(ctx.type).toEqualTypeOf<'chat' | 'groupchat'>()
      expectTypeOf(ctx.body).toEqualTypeOf<string | undefined>()
    })
  })

  it('take a predicate over the whole context, which narrows nothing', () => {
    bot.message(
      (ctx) => ctx.body === 'x',
      (ctx) => {
        expectTypeOf(ctx.body).toEqualTypeOf<string | undefined>()
      },
    )
  })

  it("keep the context's actions", () => {
    bot.message({ type: 'chat', body: true }, (ctx, next) => {
      expectTypeOf(ctx.reply).parameter(0).toEqualTypeOf<string>()
      expectTypeOf(ctx.typing).returns.toEqualTypeOf<Promise<void>>()
      expectTypeOf(next).returns.toEqualTypeOf<Promise<boolean>>()
    })
  })

  it('refuse a field messages do not have, and values of the wrong type', () => {
    // @ts-expect-error messages have no show
    bot.message({ show: 'away' }, () => {})
    // @ts-expect-error not a message type
    bot.message({ type: 'chats' }, () => {})
    // @ts-expect-error not a chat state
    bot.message({ chatState: 'typing' }, () => {})
    // @ts-expect-error a body is text
    bot.message({ body: 42 }, () => {})
    // @ts-expect-error a list with one bad guard
    bot.message([{ body: true }, { bodyy: true }], () => {})
    // @ts-expect-error the predicate gets a string
    bot.message({ body: (body: number) => body > 1 }, () => {})
    // @ts-expect-error a guard is an object or a predicate, not a bare value
    bot.message('chat', () => {})
  })

  it('type ctx.match as possibly absent without a RegExp', () => {
    bot.message({ body: 'ping' }, (ctx) => {
      // The type argument form: passing the value would widen the literal.
      expectTypeOf<typeof ctx.body>().toEqualTypeOf<'ping'>()
      expectTypeOf(ctx.match).toEqualTypeOf<RegExpMatchArray | undefined>()
    })
  })
})

describe('presence guards', () => {
  it('narrow show, status and type', () => {
    bot.presence({ type: 'available', show: ['away', 'xa'], status: true }, (ctx) => {
      expectTypeOf(ctx.type).toEqualTypeOf<'available'>()
      expectTypeOf(ctx.show).toEqualTypeOf<'away' | 'xa'>()
      expectTypeOf(ctx.status).toEqualTypeOf<string>()
    })
    bot.presence((ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<PresenceContext>()
      expectTypeOf(ctx.show).toEqualTypeOf<Show | undefined>()
    })
  })

  it('refuse fields presence does not have, and wrong values', () => {
    // @ts-expect-error presence has no body
    bot.presence({ body: 'x' }, () => {})
    // @ts-expect-error not a show value
    bot.presence({ show: 'busy' }, () => {})
    // @ts-expect-error subscribe is a subscription, not a presence type
    bot.presence({ type: 'subscribe' }, () => {})
    // @ts-expect-error priority is a number
    bot.presence({ priority: '5' }, () => {})
  })
})

describe('subscription guards', () => {
  it('narrow the type and keep the actions', () => {
    bot.subscription({ type: 'subscribe' }, (req) => {
      expectTypeOf(req.type).toEqualTypeOf<'subscribe'>()
      expectTypeOf(req.approve).returns.toEqualTypeOf<Promise<void>>()
      expectTypeOf(req.deny).returns.toEqualTypeOf<Promise<void>>()
      expectTypeOf(req.subscribeBack).returns.toEqualTypeOf<Promise<void>>()
    })
    bot.subscription((req) => {
      expectTypeOf(req).toEqualTypeOf<SubscriptionContext>()
    })
  })

  it('refuse other fields', () => {
    // @ts-expect-error subscriptions have no status
    bot.subscription({ status: 'hi' }, () => {})
    // @ts-expect-error not a subscription type
    bot.subscription({ type: 'available' }, () => {})
  })
})

describe('IQ guards', () => {
  it('narrow the type and namespace, and take an element as the result', () => {
    bot.iq({ type: 'get', xmlns: 'urn:example:time', element: 'time' }, (iq) => {
      expectTypeOf(iq.type).toEqualTypeOf<'get'>()
      expectTypeOf<typeof iq.xmlns>().toEqualTypeOf<'urn:example:time'>()
      return xml('time', { xmlns: 'urn:example:time' })
    })
    bot.iq((iq) => {
      expectTypeOf(iq).toEqualTypeOf<IqContext>()
      expectTypeOf(iq.type).toEqualTypeOf<'get' | 'set'>()
    })
  })

  it('refuse other fields and types', () => {
    // @ts-expect-error result is never dispatched
    bot.iq({ type: 'result' }, () => {})
    // @ts-expect-error IQs have no body
    bot.iq({ body: true }, () => {})
  })
})

describe('roster push guards', () => {
  it('narrow the subscription', () => {
    bot.rosterPush({ subscription: ['both', 'to'], name: true }, (push) => {
      expectTypeOf(push.subscription).toEqualTypeOf<'both' | 'to'>()
      expectTypeOf(push.name).toEqualTypeOf<string>()
      expectTypeOf(push.jid).toEqualTypeOf<string>()
    })
    bot.rosterPush((push) => {
      expectTypeOf(push.subscription).toEqualTypeOf<RosterSubscription>()
    })
  })

  it('refuse other fields', () => {
    // @ts-expect-error roster pushes have no from field to guard on
    bot.rosterPush({ from: 'alice@example.org' }, () => {})
  })
})

describe('commands', () => {
  it('type the arguments of the spec: required, optional, rest of line', () => {
    bot.command('remind <minutes> [unit] [text...]', 'Reminds you', (cmd) => {
      expectTypeOf(cmd.args.minutes).toEqualTypeOf<string>()
      expectTypeOf(cmd.args.unit).toEqualTypeOf<string | undefined>()
      expectTypeOf(cmd.args.text).toEqualTypeOf<string | undefined>()
      expectTypeOf(cmd.body).toEqualTypeOf<string>()
      expectTypeOf(cmd.command).toEqualTypeOf<string>()
      // @ts-expect-error not in the spec
      void cmd.args.when
    })
    bot.command('echo <text...>', { description: 'Repeats', admin: true }, (cmd) => {
      expectTypeOf(cmd.args).toEqualTypeOf<{ text: string }>()
      expectTypeOf(cmd.reply).parameter(0).toEqualTypeOf<string>()
    })
  })

  it('type the arguments of a subcommand, not its words', () => {
    bot.command('todo add <text...>', 'Adds an item', (cmd) => {
      expectTypeOf(cmd.args).toEqualTypeOf<{ text: string }>()
    })
  })

  it('have no arguments for a bare name', () => {
    bot.command('time', 'Tells the time', (cmd) => {
      expectTypeOf(cmd.args).toEqualTypeOf<{}>()
    })
  })

  it('are described by CommandArgs', () => {
    expectTypeOf<CommandArgs<'remind <minutes> <text...>'>>().toEqualTypeOf<{ minutes: string; text: string }>()
    expectTypeOf<CommandArgs<'roll [sides]'>>().toEqualTypeOf<{ sides?: string }>()
    expectTypeOf<CommandArgs<'note [text...]'>>().toEqualTypeOf<{ text?: string }>()
    expectTypeOf<CommandArgs<'kick <nick> [reason...]'>>().toEqualTypeOf<{ nick: string; reason?: string }>()
    expectTypeOf<CommandArgs<'todo add <text...>'>>().toEqualTypeOf<{ text: string }>()
    expectTypeOf<CommandArgs<'todo list'>>().toEqualTypeOf<CommandArgs<'time'>>()
    expectTypeOf<CommandArgs<'todo done <n>'>>().toEqualTypeOf<{ n: string }>()
  })

  it('refuse an options object without a description', () => {
    // @ts-expect-error description is required
    bot.command('time', { admin: true }, () => {})
  })
})

describe('Narrow', () => {
  it('is what handlers see', () => {
    type Chat = Narrow<MessageContext, { type: 'chat'; body: true }>
    expectTypeOf<Chat['type']>().toEqualTypeOf<'chat'>()
    expectTypeOf<Chat['body']>().toEqualTypeOf<string>()
    expectTypeOf<Narrow<MessageContext, { chatState: true }>['chatState']>().toEqualTypeOf<ChatState>()
    expectTypeOf<Narrow<MessageContext, { body: RegExp }>['match']>().toEqualTypeOf<RegExpMatchArray>()
  })
})

describe('middleware and hooks', () => {
  it('see any context, and the lifecycle events are typed', () => {
    bot.use((ctx, next) => {
      expectTypeOf(ctx.kind).toEqualTypeOf<string>()
      expectTypeOf(ctx.from).toEqualTypeOf<string>()
      return next()
    })
    bot.catch((error, ctx) => {
      expectTypeOf(error).toEqualTypeOf<unknown>()
      expectTypeOf(ctx.stanza.name).toEqualTypeOf<string>()
    })
    bot.on('ready', (info) => {
      expectTypeOf(info).toEqualTypeOf<{ jid: string; resumed: boolean }>()
    })
    bot.on('reconnecting', (info) => {
      expectTypeOf(info.delay).toEqualTypeOf<number>()
    })
    // @ts-expect-error not an event
    bot.on('online', () => {})
  })
})

describe('hostile-input settings', () => {
  it('take limits or false, and trusted room services', () => {
    createBot({ limits: { rate: 5, burst: 50, concurrency: 2, notice: false }, trustedRoomServices: ['chat.example.net'] })
    createBot({ limits: false })
    // @ts-expect-error not a limit
    createBot({ limits: { perMinute: 5 } })
    // @ts-expect-error a notice is a text or false
    createBot({ limits: { notice: true } })
  })
})

describe('rich messages', () => {
  it('narrow the fields their guards name', () => {
    bot.message({ correction: true }, (ctx) => {
      expectTypeOf(ctx.correction).toEqualTypeOf<string>()
    })
    bot.message({ reaction: (r) => r.emojis.includes('👍') }, (ctx) => {
      expectTypeOf(ctx.reaction).toEqualTypeOf<Reaction>()
      expectTypeOf(ctx.reaction.emojis).toEqualTypeOf<readonly string[]>()
    })
    bot.message({ replyTo: true, body: true }, (ctx) => {
      expectTypeOf(ctx.replyTo).toEqualTypeOf<ReplyTo>()
      expectTypeOf(ctx.replyTo.author).toEqualTypeOf<string | undefined>()
    })
    bot.message({ marker: true, markable: true }, (ctx) => {
      expectTypeOf(ctx.marker.type).toEqualTypeOf<MarkerType>()
      expectTypeOf(ctx.markable).toEqualTypeOf<true>()
    })
    bot.message((ctx) => {
      expectTypeOf(ctx.retraction).toEqualTypeOf<string | undefined>()
    })
    // @ts-expect-error the field is `correction`
    bot.message({ corrected: true }, () => {})
  })

  it('take the options of replies, reactions, markers and files', () => {
    bot.message({ body: true }, async (ctx) => {
      await ctx.reply('x', { quote: true, unstyled: true, markable: true })
      await ctx.react(['👍', '🎉'])
      await ctx.mark('acknowledged')
      // @ts-expect-error not a marker
      await ctx.mark('read')
    })
    bot.say('alice@example.org', 'x', { type: 'groupchat', unstyled: true })
    bot.say('alice@example.org', 'x', 'normal')
    expectTypeOf(bot.sendFile('alice@example.org', Buffer.from('x'), { name: 'x.txt' })).toEqualTypeOf<Promise<string>>()
    // @ts-expect-error a file is a path or bytes
    bot.sendFile('alice@example.org', 42)
  })
})
