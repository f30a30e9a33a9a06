import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const derive = promisify(pbkdf2)

/** The hash functions natter's SCRAM runs on, as node:crypto names them. */
export type ScramHash = 'sha1' | 'sha256' | 'sha512'

const KEY_BYTES: Record<ScramHash, number> = { sha1: 20, sha256: 32, sha512: 64 }

/**
 * The PBKDF2 iteration counts natter accepts from a server. Fewer than 4,096 (the floor of RFC 7677)
 * makes a stolen exchange cheap to crack; more than a million only burns the bot's CPU (an absurd count
 * is how a hostile server keeps a client busy).
 */
export const SCRAM_ITERATIONS = { min: 4_096, max: 1_000_000 } as const

/** The data of one channel binding type (RFC 5056) for the TLS connection a SCRAM `-PLUS` exchange runs over. */
export interface ChannelBinding {
  /** `tls-exporter` (RFC 9266) or `tls-server-end-point` (RFC 5929). */
  readonly type: string
  readonly data: Buffer
}

/** How the client's first message speaks of channel binding (RFC 5802, section 6). */
export type ScramBinding =
  /** No channel binding: no TLS, or none the server and natter share. */
  | { readonly flag: 'n' }
  /** natter could bind, but the server offered no `-PLUS` mechanism: a server that does support it must refuse. */
  | { readonly flag: 'y' }
  /** Bound to this TLS connection (a `-PLUS` mechanism). */
  | { readonly flag: 'p'; readonly binding: ChannelBinding }

/**
 * Why a SCRAM exchange stopped: the server refused (`refused`, an `e=` attribute), it broke the protocol
 * or asked for an unacceptable iteration count (`protocol`), or it could not prove that it knows the
 * password (`signature`).
 *
 * @example
 * ```ts
 * try { scram.verify(serverFinal) } catch (e) { if (e instanceof ScramError && e.kind === 'signature') dropTheLink() }
 * ```
 */
export class ScramError extends Error {
  override readonly name = 'ScramError'
  constructor(
    readonly kind: 'refused' | 'protocol' | 'signature',
    message: string,
  ) {
    super(message)
  }
}

/**
 * The client side of one SCRAM exchange (RFC 5802, RFC 7677), with or without channel binding. It
 * checks what the server sends: its nonce must extend the client's, its iteration count must lie
 * within {@link SCRAM_ITERATIONS}, and its final signature must prove that it knows the password
 * (mutual authentication). PBKDF2 runs in node:crypto's thread pool, off the event loop; an exchange
 * whose signal is aborted meanwhile throws instead of answering. One instance serves one attempt.
 * Messages are strings of Unicode text; the transport codes them as UTF-8 and base64.
 *
 * @example
 * ```ts
 * const scram = new ScramClient('sha256', { flag: 'n' })
 * send(scram.first('bot'))
 * send(await scram.final(serverFirst, password, signal))
 * scram.verify(serverFinal) // throws a ScramError unless the server knows the password
 * ```
 */
export class ScramClient {
  readonly #hash: ScramHash
  readonly #binding: ScramBinding
  readonly #nonce: string
  #step: Step = 'first'
  #firstBare = ''
  #serverSignature: Buffer | undefined

  constructor(hash: ScramHash, binding: ScramBinding, nonce = randomBytes(24).toString('base64')) {
    this.#hash = hash
    this.#binding = binding
    this.#nonce = nonce
  }

  /** Whether the server has proved that it knows the password. */
  get verified(): boolean {
    return this.#step === 'done'
  }

  /** The client-first message. */
  first(username: string): string {
    this.#expect('first')
    this.#step = 'final'
    this.#firstBare = `n=${saslName(username)},r=${this.#nonce}`
    return `${this.#gs2Header()}${this.#firstBare}`
  }

  /** The client-final message, with the proof, in answer to the server-first message. */
  async final(serverFirst: string, password: string, signal?: AbortSignal): Promise<string> {
    this.#expect('final')
    this.#step = 'verify'
    const server = attributes(serverFirst)
    if (server.has('e')) throw new ScramError('refused', `the server refused: ${server.get('e')}`)
    if (server.has('m')) throw new ScramError('protocol', 'the server requires a SCRAM extension natter does not know')
    const nonce = server.get('r') ?? ''
    if (!nonce.startsWith(this.#nonce) || nonce === this.#nonce) throw new ScramError('protocol', "the server nonce does not extend natter's")
    const salt = Buffer.from(server.get('s') ?? '', 'base64')
    if (salt.length === 0) throw new ScramError('protocol', 'the server sent no salt')
    const iterations = Number(server.get('i'))
    if (!/^\d+$/.test(server.get('i') ?? '') || iterations < SCRAM_ITERATIONS.min || iterations > SCRAM_ITERATIONS.max) {
      throw new ScramError(
        'protocol',
        `the server asks for ${server.get('i') ?? 'no'} PBKDF2 iterations; natter accepts ${SCRAM_ITERATIONS.min} to ${SCRAM_ITERATIONS.max}`,
      )
    }
    signal?.throwIfAborted()
    const salted = await derive(password, salt, iterations, KEY_BYTES[this.#hash], this.#hash)
    // The attempt may have been given up while PBKDF2 ran: its answer must not reach a later connection.
    signal?.throwIfAborted()
    const clientKey = this.#hmac(salted, 'Client Key')
    const withoutProof = `c=${this.#channelBindingData().toString('base64')},r=${nonce}`
    const authMessage = `${this.#firstBare},${serverFirst},${withoutProof}`
    const signature = this.#hmac(createHash(this.#hash).update(clientKey).digest(), authMessage)
    const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] as number)))
    this.#serverSignature = this.#hmac(this.#hmac(salted, 'Server Key'), authMessage)
    return `${withoutProof},p=${proof.toString('base64')}`
  }

  /** Checks the server-final message; throws a {@link ScramError} unless it carries the expected signature. */
  verify(serverFinal: string): void {
    this.#expect('verify')
    const server = attributes(serverFinal)
    if (server.has('e')) throw new ScramError('refused', `the server refused: ${server.get('e')}`)
    const claimed = Buffer.from(server.get('v') ?? '', 'base64')
    const expected = this.#serverSignature
    if (!expected) throw new ScramError('protocol', 'the server-final message came before the proof')
    if (claimed.length !== expected.length || !timingSafeEqual(claimed, expected)) {
      throw new ScramError('signature', 'its SCRAM server signature does not match')
    }
    this.#step = 'done'
  }

  #expect(step: Step): void {
    if (this.#step !== step) throw new ScramError('protocol', `unexpected SCRAM message (expected the ${step} step, at the ${this.#step} step)`)
  }

  #gs2Header(): string {
    return this.#binding.flag === 'p' ? `p=${this.#binding.binding.type},,` : `${this.#binding.flag},,`
  }

  /** The `c=` attribute before base64: the GS2 header, then the binding data for `-PLUS`. */
  #channelBindingData(): Buffer {
    const header = Buffer.from(this.#gs2Header())
    return this.#binding.flag === 'p' ? Buffer.concat([header, this.#binding.binding.data]) : header
  }

  #hmac(key: Buffer, data: string): Buffer {
    return createHmac(this.#hash, key).update(data).digest()
  }
}

/** Where a client is in its exchange: what it sends or checks next. */
type Step = 'first' | 'final' | 'verify' | 'done'

/** `a=1,b=2` as a map; a value may itself hold `=`. */
function attributes(message: string): Map<string, string> {
  return new Map(message.split(',').map((pair) => [pair.slice(0, 1), pair.slice(2)]))
}

/** A username as SCRAM carries it: `,` and `=` escaped. */
function saslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C')
}
