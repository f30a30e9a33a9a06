import type { Bot } from './bot.js'
import { xml } from './xml.js'

const NS_VERSION = 'jabber:iq:version'

/**
 * Answers XEP-0092 software version queries with natter's name and version. The operating system is
 * left out on purpose: it tells an attacker more than it tells a user.
 */
export function answerVersion(bot: Bot, software: { name: string; version: string }): void {
  bot.iq({ type: 'get', xmlns: NS_VERSION, element: 'query' }, () =>
    xml('query', { xmlns: NS_VERSION }, xml('name', {}, software.name), xml('version', {}, software.version)),
  )
}
