import { createHash } from 'node:crypto'
import { NS_VCARD } from '../../ns.js'
import { type XmlElement, xml } from '../../xml.js'
import type { Avatar } from './settings.js'

/** What the bot's vCard should say: a field left undefined keeps what the vCard holds. */
export interface VcardWanted {
  readonly name: string | undefined
  readonly avatar: Avatar | undefined
}

/** Whether a vCard (XEP-0054) already says what is wanted: the name as FN and NICKNAME, the photo by its SHA-1. */
export function vcardSays(vcard: XmlElement | undefined, wanted: VcardWanted): boolean {
  if (wanted.name !== undefined && (vcard?.getChildText('FN') !== wanted.name || vcard?.getChildText('NICKNAME') !== wanted.name)) return false
  if (wanted.avatar === undefined) return true
  const binval = vcard?.getChild('PHOTO')?.getChildText('BINVAL')
  if (!binval) return false
  return (
    createHash('sha1')
      .update(Buffer.from(binval.replace(/\s+/g, ''), 'base64'))
      .digest('hex') === wanted.avatar.sha1
  )
}

/** The vCard to publish: what the server held, with the name and photo replaced by those wanted. */
export function vcardWith(held: XmlElement | undefined, wanted: VcardWanted): XmlElement {
  const replaced = new Set<string>()
  if (wanted.name !== undefined) replaced.add('FN').add('NICKNAME')
  if (wanted.avatar !== undefined) replaced.add('PHOTO')
  const kept = (held?.getChildElements() ?? []).filter((child) => !replaced.has(child.name))
  return xml(
    'vCard',
    { xmlns: NS_VCARD },
    ...kept,
    wanted.name !== undefined && xml('FN', {}, wanted.name),
    wanted.name !== undefined && xml('NICKNAME', {}, wanted.name),
    wanted.avatar !== undefined && xml('PHOTO', {}, xml('TYPE', {}, wanted.avatar.type), xml('BINVAL', {}, wanted.avatar.bytes.toString('base64'))),
  )
}
