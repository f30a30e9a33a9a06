import { ConfigError, createBot, signBody } from 'natter'
import { testKit } from 'natter/testing'
import { describe, expect, it } from 'vitest'

const SECRET = 's3cret'
const ALICE = 'alice@example.org'

/** A bot with a signed webhook that tells alice, and an open route that echoes its JSON. */
function buildBot(env: Record<string, string> = { HOOK_SECRET: SECRET }) {
  const bot = createBot({ env, web: { bodyLimit: 1024 } })
  bot.webhook('/hooks/ci', { secret: { env: 'HOOK_SECRET' } }, (hook) => hook.say(ALICE, `CI: ${(hook.json as { status: string }).status}`))
  bot.http.post('/echo', (req) => ({ got: req.json }))
  bot.http.get('/hello/:name', (req) => `hello ${req.params.name}`)
  bot.http.post('/quiet', () => undefined)
  bot.http.post('/broken', () => {
    throw new Error('boom')
  })
  bot.message({ type: 'chat', body: true }, (msg) => msg.reply('ok'))
  return bot
}

const signed = (body: string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  body,
  headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(SECRET, body), ...headers },
})

describe('a webhook', () => {
  it('sends what a signed request asks for, once, and answers 202', async () => {
    const kit = await testKit(buildBot())
    const { response, sent } = await kit.fetch('/hooks/ci', signed('{"status":"green"}'))
    expect(response.status).toBe(202)
    expect(sent.map((s) => [s.attrs.to, s.getChildText('body')])).toEqual([[ALICE, 'CI: green']])
    expect(kit.sent.filter((s) => s.name === 'message')).toHaveLength(1)
  })

  it('refuses unsigned and wrongly signed requests with 401, sending nothing', async () => {
    const kit = await testKit(buildBot())
    const body = '{"status":"green"}'
    const unsigned = await kit.fetch('/hooks/ci', { method: 'POST', body, headers: { 'content-type': 'application/json' } })
    const wrong = await kit.fetch('/hooks/ci', signed(body, { 'x-hub-signature-256': signBody('guess', body) }))
    expect([unsigned.response.status, wrong.response.status]).toEqual([401, 401])
    expect(await unsigned.response.json()).toEqual({ error: 'no x-hub-signature-256 header' })
    expect([...unsigned.sent, ...wrong.sent]).toEqual([])
  })

  it('answers 413 over the body limit, 415 for another content type, 400 for broken JSON', async () => {
    const kit = await testKit(buildBot())
    const big = JSON.stringify({ status: 'x'.repeat(2000) })
    expect((await kit.fetch('/hooks/ci', signed(big))).response.status).toBe(413)
    expect((await kit.fetch('/hooks/ci', signed('status=green', { 'content-type': 'text/plain' }))).response.status).toBe(415)
    const broken = await kit.fetch('/hooks/ci', signed('{"status":'))
    expect(broken.response.status).toBe(400)
    expect(broken.sent).toEqual([])
  })

  it('needs its secret: without it the web side refuses to start, naming the variable', async () => {
    const kit = await testKit(buildBot({}))
    await expect(kit.fetch('/healthz')).rejects.toThrow(new ConfigError('HOOK_SECRET', 'the webhook /hooks/ci needs a secret'))
  })
})

describe('routes', () => {
  it('answer with JSON, text, or nothing, and take route parameters', async () => {
    const kit = await testKit(buildBot())
    const echo = await kit.fetch('/echo', { method: 'POST', body: '[1,2]', headers: { 'content-type': 'application/json' } })
    expect(await echo.response.json()).toEqual({ got: [1, 2] })
    const hello = await kit.fetch('/hello/alice')
    expect([hello.response.headers.get('content-type'), await hello.response.text()]).toEqual(['text/plain; charset=utf-8', 'hello alice'])
    expect((await kit.fetch('/quiet', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).response.status).toBe(204)
    expect((await kit.fetch('/nowhere')).response.status).toBe(404)
  })

  it('answer 500 when the handler throws, and the bot goes on', async () => {
    const kit = await testKit(buildBot())
    expect((await kit.fetch('/broken', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).response.status).toBe(500)
    expect(await kit.contact(ALICE).say('hi')).toEqual(['ok'])
  })

  it('cannot take a path twice, nor the built-in ones', () => {
    const bot = buildBot()
    expect(() => bot.http.get('/hello/:name', () => 'again')).toThrow('GET /hello/:name has a route already')
    expect(() => bot.http.get('/healthz', () => 'mine')).toThrow('/healthz is served by natter itself')
  })

  it('answer 503 with Retry-After once the bot is stopping, and /healthz turns 503', async () => {
    const bot = buildBot()
    const kit = await testKit(bot)
    expect((await kit.fetch('/healthz')).response.status).toBe(200)
    await bot.stop()
    const { response, sent } = await kit.fetch('/hooks/ci', signed('{"status":"green"}'))
    expect([response.status, response.headers.get('retry-after')]).toEqual([503, '5'])
    expect(sent).toEqual([])
    expect((await kit.fetch('/healthz')).response.status).toBe(503)
  })
})

describe('/healthz', () => {
  it('answers 200 with a small JSON body while online and in the formation', async () => {
    const kit = await testKit(buildBot())
    const { response } = await kit.fetch('/healthz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok', online: true, member: true, members: 1, stopping: false })
  })
})

describe('/metrics', () => {
  it('counts stanzas in and out, handlers, and HTTP requests by route and status', async () => {
    const kit = await testKit(buildBot())
    await kit.fetch('/healthz')
    await kit.contact(ALICE).say('hi')
    await kit.fetch('/hooks/ci', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
    const { response } = await kit.fetch('/metrics')
    const text = await response.text()
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(text).toContain('natter_stanzas_total{direction="in",kind="message"} 1')
    expect(text).toContain('natter_stanzas_total{direction="out",kind="message"} 1')
    expect(text).toContain('natter_handler_duration_seconds_count{kind="message"} 1')
    expect(text).toContain('natter_http_requests_total{route="/healthz",status="200"} 1')
    expect(text).toContain('natter_http_requests_total{route="/hooks/ci",status="401"} 1')
    expect(text).toContain('natter_formation_members 1')
    expect(text).toContain('natter_outbox_stanzas 0')
    expect(text).toMatch(/^process_cpu_user_seconds_total /m)
  })

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const kit = await testKit(buildBot({ HOOK_SECRET: SECRET, METRICS_TOKEN: 'scrape' }))
    const without = await kit.fetch('/metrics')
    expect([without.response.status, without.response.headers.get('www-authenticate')]).toEqual([401, 'Bearer'])
    expect((await kit.fetch('/metrics', { headers: { authorization: 'Bearer nope' } })).response.status).toBe(401)
    expect((await kit.fetch('/metrics', { headers: { authorization: 'Bearer scrape' } })).response.status).toBe(200)
  })
})
