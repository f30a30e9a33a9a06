import { ConfigError, ExitCode, FatalError, StanzaError, UndeliveredError, UsageError } from 'natter'
import { describe, expect, it } from 'vitest'
import { answered, CANT_CREATE, exitCodeFor, Failure } from '../../src/cli/failure.js'

describe('exitCodeFor', () => {
  it.each([
    [new Failure('directory not empty', CANT_CREATE), 73],
    [new UsageError('bad flag'), ExitCode.Usage],
    [new ConfigError('JID', 'missing'), ExitCode.Config],
    [new FatalError('auth', 'login refused'), ExitCode.Auth],
    [new FatalError('tls', 'untrusted'), ExitCode.Tls],
    [new FatalError('unreachable', 'gave up'), ExitCode.Unavailable],
    [new FatalError('conflict', 'taken over'), ExitCode.Conflict],
    [new FatalError('refused', 'host-unknown'), ExitCode.Config],
    [new FatalError('internal', 'oops'), ExitCode.Software],
    [new StanzaError('remote-server-timeout'), ExitCode.Unavailable],
    [new UndeliveredError('stopped'), ExitCode.Unavailable],
    [new Error('anything else'), ExitCode.Software],
  ])('maps %s to %i', (error, code) => {
    expect(exitCodeFor(error)).toBe(code)
  })
})

describe('answered', () => {
  it('passes the answer through', async () => {
    expect(await answered('ping', Promise.resolve(4.2))).toBe(4.2)
  })

  it('turns an error reply or a timeout into a Failure with 69 that names the request', async () => {
    const failure = await answered('roster', Promise.reject(new StanzaError('remote-server-timeout'))).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(Failure)
    expect(failure).toMatchObject({ code: ExitCode.Unavailable, message: 'roster: remote-server-timeout' })
  })

  it('lets other errors through as they are', async () => {
    const error = new FatalError('auth', 'refused')
    await expect(answered('ping', Promise.reject(error))).rejects.toBe(error)
  })
})
