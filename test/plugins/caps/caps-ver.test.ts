import { describe, expect, it } from 'vitest'
import { capsVer } from '../../../src/plugins/caps/caps-ver.js'
import { xml } from '../../../src/xml.js'

const feature = (v: string) => xml('feature', { var: v })
const field = (name: string, ...values: string[]) => xml('field', { var: name }, ...values.map((v) => xml('value', {}, v)))

describe('capsVer', () => {
  it('gives the verification string of XEP-0115 section 5.2', () => {
    const info = xml(
      'query',
      { xmlns: 'http://jabber.org/protocol/disco#info' },
      xml('identity', { category: 'client', type: 'pc', name: 'Exodus 0.9.1' }),
      feature('http://jabber.org/protocol/muc'),
      feature('http://jabber.org/protocol/disco#info'),
      feature('http://jabber.org/protocol/caps'),
      feature('http://jabber.org/protocol/disco#items'),
    )
    expect(capsVer(info)).toBe('QgayPKawpkPSDYmwT/WM94uAlu0=')
  })

  it('sorts identities with their languages and hashes extended forms, as in section 5.3', () => {
    const info = xml(
      'query',
      { xmlns: 'http://jabber.org/protocol/disco#info' },
      xml('identity', { category: 'client', type: 'pc', 'xml:lang': 'en', name: 'Psi 0.11' }),
      xml('identity', { category: 'client', type: 'pc', 'xml:lang': 'el', name: 'Ψ 0.11' }),
      feature('http://jabber.org/protocol/disco#items'),
      feature('http://jabber.org/protocol/caps'),
      feature('http://jabber.org/protocol/muc'),
      feature('http://jabber.org/protocol/disco#info'),
      xml(
        'x',
        { xmlns: 'jabber:x:data', type: 'result' },
        field('FORM_TYPE', 'urn:xmpp:dataforms:softwareinfo'),
        field('ip_version', 'ipv6', 'ipv4'),
        field('os', 'Mac'),
        field('os_version', '10.5.1'),
        field('software', 'Psi'),
        field('software_version', '0.11'),
      ),
    )
    expect(capsVer(info)).toBe('q07IKJEyjvHSyhy//CH0CxmKi8w=')
  })

  it('changes when a feature is added', () => {
    const info = (...features: string[]) => xml('query', {}, xml('identity', { category: 'client', type: 'bot', name: 'natter' }), features.map(feature))
    expect(capsVer(info('urn:a', 'urn:b'))).not.toBe(capsVer(info('urn:a')))
  })
})
