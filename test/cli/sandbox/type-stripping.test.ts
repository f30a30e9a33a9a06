import { describe, expect, it } from 'vitest'
import { typeStrippingProblem } from '../../../src/cli/sandbox/type-stripping.js'

describe('typeStrippingProblem', () => {
  it('names the file, the Node that cannot run it and the Node needed', () => {
    expect(typeStrippingProblem('node bot.ts -D', 'v20.20.2', undefined)).toBe(
      'bot.ts is TypeScript, which Node v20.20.2 cannot run: it needs Node 22.18 or newer (or 22.6 with --experimental-strip-types); install a newer Node, or compile with tsc and run the .js',
    )
    expect(typeStrippingProblem('exec node --enable-source-maps src/bot.mts', 'v22.5.1', undefined)).toMatch(/^src\/bot\.mts is TypeScript/)
  })

  it('lets a Node that strips types by default run it, and one from 22.6 with the flag', () => {
    for (const version of ['v22.18.0', 'v23.6.0', 'v24.1.0']) expect(typeStrippingProblem('node bot.ts', version, undefined)).toBeUndefined()
    expect(typeStrippingProblem('node bot.ts', 'v22.12.0', undefined)).toBeDefined()
    expect(typeStrippingProblem('node --experimental-strip-types bot.ts', 'v22.12.0', undefined)).toBeUndefined()
    expect(typeStrippingProblem('node bot.ts', 'v22.12.0', '--experimental-strip-types')).toBeUndefined()
    expect(typeStrippingProblem('node --experimental-strip-types bot.ts', 'v20.20.2', undefined)).toBeDefined()
  })

  it('leaves alone what is not Node running a .ts file', () => {
    expect(typeStrippingProblem('node dist/bot.js', 'v20.20.2', undefined)).toBeUndefined()
    expect(typeStrippingProblem('npx tsx bot.ts', 'v20.20.2', undefined)).toBeUndefined()
  })
})
