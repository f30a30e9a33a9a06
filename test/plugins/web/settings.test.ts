import { ConfigError } from 'natter'
import { describe, expect, it } from 'vitest'
import { DEFAULT_BODY_LIMIT, readWebSettings } from '../../../src/plugins/web/settings.js'

describe('web settings', () => {
  it('serve nothing without PORT, with a 1 MiB body limit and no metrics token', () => {
    expect(readWebSettings({}, {})).toEqual({ port: undefined, host: undefined, bodyLimit: DEFAULT_BODY_LIMIT, metricsToken: undefined })
  })

  it('read PORT, HTTP_HOST, HTTP_BODY_LIMIT and METRICS_TOKEN, the options winning', () => {
    const env = { PORT: '5000', HTTP_HOST: '127.0.0.1', HTTP_BODY_LIMIT: '2048', METRICS_TOKEN: 'scrape' }
    expect(readWebSettings({}, env)).toEqual({ port: 5000, host: '127.0.0.1', bodyLimit: 2048, metricsToken: 'scrape' })
    expect(readWebSettings({ port: 0, bodyLimit: 10 }, env)).toMatchObject({ port: 0, bodyLimit: 10 })
  })

  it('refuse a malformed port or limit, naming the variable', () => {
    for (const PORT of ['http', '-1', '70000', '80.5'])
      expect(() => readWebSettings({}, { PORT })).toThrow(new ConfigError('PORT', `malformed "${PORT}"; expected a port number, 0 to 65535`))
    expect(() => readWebSettings({}, { HTTP_BODY_LIMIT: '1k' })).toThrow(ConfigError)
  })
})
