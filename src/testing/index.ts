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

// In sections; the blank line under each heading keeps the formatter's sorting inside the section.

// The kit: a bot online on an in-memory server, and what its handlers said.

export type { AdhocOutcome } from './adhoc-run.js'
export { TestKit, type TestKitOptions, testKit } from './kit.js'
export type { Replies } from './replies.js'
export { type TestUpload, TestUploads } from './uploads.js'

// Who the test speaks as: contacts, the roster the server keeps, and rooms with their occupants.

export { TestContact } from './contact.js'
export { type MucAffiliation, type MucRole, type OccupantSetup, type RoomOccupant, type RoomSetup, TestRoom } from './room.js'
export { type RosterEntry, TestRoster } from './roster.js'

// What the bot published: PubSub and PEP items, and vCards.

export { TestPubSub } from './pubsub.js'
export { TestVcards } from './vcards.js'

// Lower down: a bot wired to memory with no server playing its part, for tests that play the server.

export { TestChat } from './chat.js'
