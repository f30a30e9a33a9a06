import { StanzaError, xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { ALICE, errorCondition, testBot } from '../../support/unit.js'

const NS_COMMANDS = 'http://jabber.org/protocol/commands'
const NS_ITEMS = 'http://jabber.org/protocol/disco#items'
const NS_INFO = 'http://jabber.org/protocol/disco#info'
const ADMIN = 'ops@example.org/desk'

function commandBot() {
  const { bot, chat } = testBot({ admins: ['ops@example.org'] })
  bot.command('echo <text...>', 'Repeats the text', (cmd) => cmd.reply(cmd.args.text))
  bot.command('time', 'Tells the time', (cmd) => cmd.reply('noon'))
  bot.command('roll [sides]', 'Rolls a die', (cmd) => cmd.reply(`rolled a d${cmd.args.sides ?? 6}`))
  bot.command('todo add <item> [note]', 'Adds an item', (cmd) => cmd.reply(`added ${cmd.args.item}${cmd.args.note ? ` (${cmd.args.note})` : ''}`))
  bot.command('restart', { description: 'Restarts', admin: true }, (cmd) => cmd.reply('restarting'))
  return { bot, chat }
}

async function listed(chat: ReturnType<typeof testBot>['chat'], from: string): Promise<string[]> {
  const reply = await chat.iq(from, 'get', xml('query', { xmlns: NS_ITEMS, node: NS_COMMANDS }))
  return (
    reply
      .getChild('query', NS_ITEMS)
      ?.getChildren('item')
      .map((i) => i.attrs.node ?? '') ?? []
  )
}

function command(attrs: Record<string, string>, ...children: ReturnType<typeof xml>[]) {
  return xml('command', { xmlns: NS_COMMANDS, ...attrs }, ...children)
}

function appCondition(reply: ReturnType<typeof xml>): string | undefined {
  return reply
    .getChild('error')
    ?.getChildElements()
    .find((c) => c.getNS() === NS_COMMANDS)?.name
}

describe('ad-hoc commands from bot.command', () => {
  it('lists every command under the commands node, admin ones only to admins, and announces the feature', async () => {
    const { chat } = commandBot()
    expect(await listed(chat, ALICE)).toEqual(['echo', 'time', 'roll', 'todo add'])
    expect(await listed(chat, ADMIN)).toContain('restart')
    const info = await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_INFO }))
    expect(
      info
        .getChild('query', NS_INFO)
        ?.getChildren('feature')
        .map((f) => f.attrs.var),
    ).toContain(NS_COMMANDS)
  })

  it('answers disco#info on a command node, and item-not-found on an unknown one', async () => {
    const { chat } = commandBot()
    const info = await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_INFO, node: 'echo' }))
    expect(info.getChild('query', NS_INFO)?.getChild('identity')?.attrs).toMatchObject({ category: 'automation', type: 'command-node' })
    expect(errorCondition(await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_INFO, node: 'nope' })))).toBe('item-not-found')
    expect(errorCondition(await chat.iq(ALICE, 'get', xml('query', { xmlns: NS_INFO, node: 'restart' })))).toBe('item-not-found')
  })

  it('asks for the arguments in a form built from the spec, then completes with the reply as a note', async () => {
    const { chat } = commandBot()
    const asked = await chat.adhoc(ALICE, 'todo add')
    expect(asked.status).toBe('executing')
    expect(asked.form?.fields.map((f) => [f.var, f.type, f.required === true])).toEqual([
      ['item', 'text-single', true],
      ['note', 'text-single', false],
    ])
    expect(asked.form?.instructions).toEqual(['Adds an item'])
    const echo = await chat.adhoc(ALICE, 'echo')
    expect(echo.form?.fields[0]).toMatchObject({ var: 'text', type: 'text-multi', required: true })
    expect(await chat.adhoc(ALICE, 'echo', { text: 'hi there' })).toMatchObject({ status: 'completed', text: 'hi there' })
    const { sessionId } = await chat.adhoc(ALICE, 'echo')
    const submit = xml('x', { xmlns: 'jabber:x:data', type: 'submit' }, xml('field', { var: 'text' }, xml('value', {}, 'by next')))
    const next = await chat.iq(ALICE, 'set', command({ node: 'echo', action: 'next', sessionid: sessionId ?? '' }, submit))
    expect(next.getChild('command', NS_COMMANDS)?.getChild('note')?.getText()).toBe('by next')
    expect((await chat.adhoc(ALICE, 'todo add', { item: 'milk' })).text).toBe('added milk')
    expect((await chat.adhoc(ALICE, 'roll', {})).text).toBe('rolled a d6')
  })

  it('completes a command without arguments at once, and sends the requester no message', async () => {
    const { chat } = commandBot()
    const before = chat.sent.length
    expect(await chat.adhoc(ALICE, 'time')).toMatchObject({ status: 'completed', notes: [{ type: 'info', text: 'noon' }] })
    expect(chat.sent.slice(before).filter((s) => s.name === 'message')).toEqual([])
  })

  it("refuses an admin's command to others with forbidden, and runs it for an admin", async () => {
    const { chat } = commandBot()
    await expect(chat.adhoc(ALICE, 'restart')).rejects.toMatchObject({ condition: 'forbidden' })
    expect((await chat.adhoc(ADMIN, 'restart')).text).toBe('restarting')
  })

  it('asks again, with an error note, when a required field is left empty', async () => {
    const { chat } = commandBot()
    const first = await chat.adhoc(ALICE, 'echo')
    const reply = await chat.iq(
      ALICE,
      'set',
      command({ node: 'echo', action: 'complete', sessionid: first.sessionId ?? '' }, xml('x', { xmlns: 'jabber:x:data', type: 'submit' })),
    )
    const again = reply.getChild('command', NS_COMMANDS)
    expect(again?.attrs.status).toBe('executing')
    expect(again?.getChild('note')?.attrs.type).toBe('error')
    expect(again?.getChild('note')?.getText()).toContain('required')
  })

  it('reports a failing handler as an error note', async () => {
    const { bot, chat } = testBot()
    bot.command('boom', 'Fails', () => {
      throw new Error('kaput')
    })
    expect(await chat.adhoc(ALICE, 'boom')).toMatchObject({ status: 'completed', notes: [{ type: 'error' }] })
  })
})

describe('bot.adhoc', () => {
  function wizard() {
    const { bot, chat } = testBot()
    bot.adhoc(
      'order',
      {
        name: 'Order a pizza',
        stages: [
          { title: 'Size', fields: [{ var: 'size', type: 'list-single', required: true, options: [{ value: 'small' }, { value: 'large' }] }] },
          (run) => ({ title: `Toppings for a ${run.values.size}`, fields: [{ var: 'cheese', type: 'boolean' }] }),
        ],
      },
      (run) => `A ${run.values.size} pizza${run.values.cheese ? ' with cheese' : ''}`,
    )
    bot.adhoc('status', 'Status', () => ({ type: 'result', fields: [{ var: 'up', values: ['yes'] }] }))
    return { bot, chat }
  }

  it('runs a multi-stage command through its forms, the later one made from the earlier answers', async () => {
    const { chat } = wizard()
    expect(await chat.adhoc(ALICE, 'order', { size: 'large', cheese: true })).toMatchObject({ status: 'completed', text: 'A large pizza with cheese' })
    const second = await chat.adhoc(ALICE, 'order', { size: 'small' })
    expect(second.status).toBe('completed')
    expect(second.text).toBe('A small pizza')
  })

  it('offers next, then prev and complete, and goes back a stage on prev', async () => {
    const { chat } = wizard()
    const first = await chat.iq(ALICE, 'set', command({ node: 'order', action: 'execute' }))
    const start = first.getChild('command', NS_COMMANDS)
    expect(start?.getChild('actions')?.attrs.execute).toBe('next')
    expect(
      start
        ?.getChild('actions')
        ?.getChildElements()
        .map((e) => e.name),
    ).toEqual(['next'])
    const sessionid = start?.attrs.sessionid ?? ''
    const submit = xml('x', { xmlns: 'jabber:x:data', type: 'submit' }, xml('field', { var: 'size' }, xml('value', {}, 'small')))
    const second = (await chat.iq(ALICE, 'set', command({ node: 'order', action: 'next', sessionid }, submit))).getChild('command', NS_COMMANDS)
    expect(
      second
        ?.getChild('actions')
        ?.getChildElements()
        .map((e) => e.name),
    ).toEqual(['prev', 'complete'])
    expect(second?.getChild('x', 'jabber:x:data')?.getChildText('title')).toBe('Toppings for a small')
    const back = (await chat.iq(ALICE, 'set', command({ node: 'order', action: 'prev', sessionid }))).getChild('command', NS_COMMANDS)
    expect(back?.getChild('x', 'jabber:x:data')?.getChildText('title')).toBe('Size')
    const bad = await chat.iq(ALICE, 'set', command({ node: 'order', action: 'complete', sessionid }, submit))
    expect([errorCondition(bad), appCondition(bad)]).toEqual(['bad-request', 'bad-action'])
  })

  it('rejects a value that is not among the options', async () => {
    const { chat } = wizard()
    const run = await chat.adhoc(ALICE, 'order', { size: 'huge' })
    expect(run.status).toBe('executing')
    expect(run.notes[0]?.type).toBe('error')
  })

  it('completes with a result form', async () => {
    const { chat } = wizard()
    expect((await chat.adhoc(ALICE, 'status')).form).toMatchObject({ type: 'result', fields: [{ var: 'up', values: ['yes'] }] })
  })

  it('cancels a session, which is then unknown', async () => {
    const { chat } = wizard()
    const { sessionId } = await chat.adhoc(ALICE, 'order')
    const sessionid = sessionId ?? ''
    const canceled = await chat.iq(ALICE, 'set', command({ node: 'order', action: 'cancel', sessionid }))
    expect(canceled.getChild('command', NS_COMMANDS)?.attrs.status).toBe('canceled')
    const after = await chat.iq(ALICE, 'set', command({ node: 'order', action: 'next', sessionid }))
    expect([errorCondition(after), appCondition(after)]).toEqual(['bad-request', 'bad-sessionid'])
  })

  it("answers bad-sessionid for another user's session and malformed-action for an unknown action", async () => {
    const { chat } = wizard()
    const { sessionId } = await chat.adhoc(ALICE, 'order')
    const other = await chat.iq('mallory@example.org/x', 'set', command({ node: 'order', action: 'next', sessionid: sessionId ?? '' }))
    expect(appCondition(other)).toBe('bad-sessionid')
    const odd = await chat.iq(ALICE, 'set', command({ node: 'order', action: 'jump' }))
    expect([errorCondition(odd), appCondition(odd)]).toEqual(['bad-request', 'malformed-action'])
  })

  it('refuses a node registered twice', () => {
    const { bot } = wizard()
    expect(() => bot.adhoc('order', 'Again', () => 'x')).toThrow(TypeError)
  })

  it('rejects with the StanzaError for an unknown node', async () => {
    const { chat } = wizard()
    const error = await chat.adhoc(ALICE, 'nope').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StanzaError)
  })
})
