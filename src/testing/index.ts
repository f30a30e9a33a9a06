/**
 * natter's test kit: a bot wired to memory, with an in-memory server that plays its part, to unit-test
 * a bot without a server.
 *
 * @example
 * ```ts
 * import { testKit } from 'natter/testing'
 *
 * const kit = await testKit(bot)
 * expect(await kit.contact('alice@example.org').say('hi')).toEqual(['You said: hi'])
 * ```
 * @packageDocumentation
 * @module natter/testing
 */
export { TestChat } from './chat.js'
export { TestContact } from './contact.js'
export { TestKit, type TestKitOptions, testKit } from './kit.js'
export type { Replies } from './replies.js'
export { type MucAffiliation, type MucRole, type OccupantSetup, type RoomOccupant, type RoomSetup, TestRoom } from './room.js'
export { type RosterEntry, TestRoster } from './roster.js'
