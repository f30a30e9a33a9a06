import { type RosterPushContext, type XmlElement, xml } from 'natter'
import { describe, expect, it } from 'vitest'
import { BOT, errorCondition, testBot } from '../../support/unit.js'

const NS_ROSTER = 'jabber:iq:roster'

function push(from: string | undefined, ...items: XmlElement[]): XmlElement {
  return xml('iq', { from, type: 'set', id: 'push-1' }, xml('query', { xmlns: NS_ROSTER }, ...items))
}

function item(jid: string, attrs: Record<string, string> = {}, ...groups: string[]): XmlElement {
  return xml(
    'item',
    { jid, ...attrs },
    groups.map((g) => xml('group', {}, g)),
  )
}

describe('roster pushes', () => {
  it('are applied and acknowledged with an empty result', async () => {
    const { bot, chat } = testBot()
    const out = await chat.receive(push('bot@example.org', item('Alice@Example.org', { name: 'Alice', subscription: 'both' }, 'Team', 'Friends')))
    expect(out).toHaveLength(1)
    expect(out[0]?.attrs).toMatchObject({ type: 'result', id: 'push-1', to: 'bot@example.org' })
    expect(out[0]?.getChildElements()).toEqual([])
    expect(bot.roster.get('alice@example.org/phone')).toEqual({
      jid: 'alice@example.org',
      name: 'Alice',
      subscription: 'both',
      ask: undefined,
      groups: ['Team', 'Friends'],
    })
  })

  it("are accepted without a from, which means the bot's own account", async () => {
    const { bot, chat } = testBot()
    const [ack] = await chat.receive(push(undefined, item('alice@example.org', { subscription: 'none', ask: 'subscribe' })))
    expect(ack?.attrs.type).toBe('result')
    expect(bot.roster.get('alice@example.org')).toMatchObject({ subscription: 'none', ask: 'subscribe', groups: [] })
  })

  it('remove a contact on subscription="remove"', async () => {
    const { bot, chat } = testBot()
    await chat.receive(push('bot@example.org', item('alice@example.org', { subscription: 'both' })))
    await chat.receive(push('bot@example.org', item('alice@example.org', { subscription: 'remove' })))
    expect(bot.roster.get('alice@example.org')).toBeUndefined()
    expect(bot.roster.items()).toEqual([])
  })

  it.each(['mallory@example.net/x', 'mallory@example.net', 'example.org', BOT])('from %s are refused and change nothing', async (from) => {
    const { bot, chat } = testBot()
    let ran = false
    bot.rosterPush(() => {
      ran = true
    })
    const [reply] = await chat.receive(push(from, item('mallory@example.net', { subscription: 'both' })))
    expect(errorCondition(reply as XmlElement)).toBe('service-unavailable')
    expect(bot.roster.items()).toEqual([])
    expect(ran).toBe(false)
  })

  it('with other than one item are refused as bad requests', async () => {
    const { bot, chat } = testBot()
    const [two] = await chat.receive(push('bot@example.org', item('a@example.org'), item('b@example.org')))
    const [none] = await chat.receive(push('bot@example.org'))
    expect(errorCondition(two as XmlElement)).toBe('bad-request')
    expect(errorCondition(none as XmlElement)).toBe('bad-request')
    expect(bot.roster.items()).toEqual([])
  })

  it('run rosterPush handlers with the item, after the roster changed', async () => {
    const { bot, chat } = testBot()
    const seen: Array<Pick<RosterPushContext, 'kind' | 'jid' | 'name' | 'subscription' | 'groups'> & { known: boolean }> = []
    bot.rosterPush((p) => {
      seen.push({ kind: p.kind, jid: p.jid, name: p.name, subscription: p.subscription, groups: p.groups, known: bot.roster.get(p.jid) !== undefined })
    })
    await chat.receive(push('bot@example.org', item('alice@example.org', { name: 'Alice', subscription: 'to' }, 'Team')))
    expect(seen).toEqual([{ kind: 'rosterPush', jid: 'alice@example.org', name: 'Alice', subscription: 'to', groups: ['Team'], known: true }])
  })

  it('match a JID guard without regard to case, through the route index too', async () => {
    const { bot, chat } = testBot()
    const calls: string[] = []
    bot.rosterPush({ jid: 'Alice@Example.org' }, () => {
      calls.push('pinned')
    })
    bot.rosterPush({ jid: ['Alice@Example.org', /^nobody@/] }, () => {
      calls.push('any of')
    })
    await chat.receive(push('bot@example.org', item('alice@example.org', { subscription: 'both' })))
    expect(calls).toEqual(['pinned'])
  })

  it('pass through middleware once, as kind rosterPush, and tell it whether a handler took them', async () => {
    const { bot, chat } = testBot()
    const seen: Array<[string, boolean]> = []
    bot.use(async (ctx, next) => {
      seen.push([ctx.kind, await next()])
    })
    bot.rosterPush({ subscription: 'both' }, () => {})
    await chat.receive(push('bot@example.org', item('alice@example.org', { subscription: 'both' })))
    await chat.receive(push('bot@example.org', item('bob@example.org', { subscription: 'none' })))
    expect(seen).toEqual([
      ['rosterPush', true],
      ['rosterPush', false],
    ])
  })

  it('reach only the rosterPush handlers whose guards match', async () => {
    const { bot, chat } = testBot()
    const calls: string[] = []
    bot.rosterPush({ subscription: 'remove' }, (p) => {
      calls.push(`removed ${p.jid}`)
    })
    bot.rosterPush({ subscription: ['both', 'to'] }, (p) => {
      calls.push(`added ${p.jid}`)
    })
    await chat.receive(push('bot@example.org', item('alice@example.org', { subscription: 'both' })))
    await chat.receive(push('bot@example.org', item('alice@example.org', { subscription: 'remove' })))
    await chat.receive(push('bot@example.org', item('bob@example.org', { subscription: 'none' })))
    expect(calls).toEqual(['added alice@example.org', 'removed alice@example.org'])
  })

  it('are acknowledged even when a rosterPush handler fails', async () => {
    const { bot, chat } = testBot()
    const caught: unknown[] = []
    bot.catch((error) => {
      caught.push(error)
    })
    bot.rosterPush(() => {
      throw new Error('handler bug')
    })
    const out = await chat.receive(push('bot@example.org', item('alice@example.org')))
    expect(out.at(-1)?.attrs.type).toBe('result')
    expect(caught).toHaveLength(1)
  })

  it('are refused a guard on a field roster items do not have', () => {
    const { bot } = testBot()
    // @ts-expect-error roster items have no body
    expect(() => bot.rosterPush({ body: 'x' }, () => {})).toThrow(TypeError)
  })
})

describe('roster requests', () => {
  it("load() fetches the roster from the bot's own account and replaces what was known", async () => {
    const { bot, chat } = testBot()
    await chat.receive(push('bot@example.org', item('stale@example.org')))
    const loading = bot.roster.load()
    const request = chat.sent.at(-1)
    expect(request?.attrs).toMatchObject({ type: 'get' })
    expect(request?.attrs.to).toBeUndefined()
    expect(request?.getChild('query', NS_ROSTER)).toBeDefined()
    await chat.receive(
      xml(
        'iq',
        { type: 'result', id: request?.attrs.id },
        xml(
          'query',
          { xmlns: NS_ROSTER },
          item('alice@example.org', { subscription: 'both' }),
          item('bob@example.org', { subscription: 'from' }),
          item('bad jid'),
        ),
      ),
    )
    const items = await loading
    expect(items.map((i) => [i.jid, i.subscription])).toEqual([
      ['alice@example.org', 'both'],
      ['bob@example.org', 'from'],
    ])
    expect(bot.roster.get('stale@example.org')).toBeUndefined()
  })

  it('add() asks the server to add the bare JID with its name and groups', async () => {
    const { bot, chat } = testBot()
    const adding = bot.roster.add('alice@example.org/phone', { name: 'Alice', groups: ['Team'] })
    const request = chat.sent.at(-1)
    const requested = request?.getChild('query', NS_ROSTER)?.getChild('item')
    expect(request?.attrs.type).toBe('set')
    expect(requested?.attrs).toEqual({ jid: 'alice@example.org', name: 'Alice' })
    expect(requested?.getChildren('group').map((g) => g.getText())).toEqual(['Team'])
    await chat.receive(xml('iq', { type: 'result', id: request?.attrs.id }))
    await expect(adding).resolves.toBeUndefined()
  })

  it('remove() asks the server to remove the contact', async () => {
    const { bot, chat } = testBot()
    const removing = bot.roster.remove('alice@example.org')
    const request = chat.sent.at(-1)
    expect(request?.getChild('query', NS_ROSTER)?.getChild('item')?.attrs).toEqual({ jid: 'alice@example.org', subscription: 'remove' })
    await chat.receive(xml('iq', { type: 'result', id: request?.attrs.id, from: 'bot@example.org' }))
    await removing
  })

  it('reject when the server refuses', async () => {
    const { bot, chat } = testBot()
    const adding = bot.roster.add('alice@example.org')
    const id = chat.sent.at(-1)?.attrs.id
    await chat.receive(
      xml('iq', { type: 'error', id }, xml('error', { type: 'modify' }, xml('not-acceptable', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }))),
    )
    await expect(adding).rejects.toMatchObject({ condition: 'not-acceptable', type: 'modify' })
  })

  it('refuse what is not a JID', async () => {
    const { bot } = testBot()
    await expect(bot.roster.add('not a jid')).rejects.toThrow(TypeError)
    await expect(bot.roster.remove('')).rejects.toThrow(TypeError)
  })
})
