// Every environment variable the code under src/ reads by name is a row of the settings table, which --help and
// docs/configuration.md show, or one of the few below that are not settings. Reads are found with the TypeScript
// parser, so that a variable named in a comment or an example does not count.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { botSettings } from '../src/create-bot.js'

/** Variables the code reads that are not settings of the bot, each with why. */
const NOT_SETTINGS: Readonly<Record<string, string>> = {
  DYNO: "the platform's name for the process (bot.1, run.4711): it makes the default resource, and a one-off's",
  CI: 'set by CI services: log lines stay JSON on a terminal, for the CI log',
  PATH: "the system's search path, where natter dev looks for Prosody",
  NODE_OPTIONS: "Node's own options, where natter dev looks for --experimental-strip-types before it runs a .ts bot",
}

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** `env`, `process.env`, `this.#options.env`: anything called env. */
function isEnvironment(node: ts.Expression): boolean {
  return (ts.isIdentifier(node) && node.text === 'env') || (ts.isPropertyAccessExpression(node) && node.name.text === 'env')
}

/** The variables a module reads by name: `env.X`, `env['X']`, `const { X } = process.env`. */
function variablesRead(file: string, text: string): string[] {
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && isEnvironment(node.expression) && ts.isIdentifier(node.name)) {
      found.push(node.name.text)
    } else if (ts.isElementAccessExpression(node) && isEnvironment(node.expression) && ts.isStringLiteralLike(node.argumentExpression)) {
      found.push(node.argumentExpression.text)
    } else if (ts.isVariableDeclaration(node) && node.initializer && isEnvironment(node.initializer) && ts.isObjectBindingPattern(node.name)) {
      for (const element of node.name.elements) {
        const name = element.propertyName ?? element.name
        if (ts.isIdentifier(name)) found.push(name.text)
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS))
  return found
}

/** Variable → the modules under src/ that read it. */
function readsUnderSrc(): Map<string, string[]> {
  const reads = new Map<string, string[]>()
  const files = readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  for (const file of files) {
    for (const variable of variablesRead(file, readFileSync(path.join(ROOT, 'src', file), 'utf8'))) {
      reads.set(variable, [...(reads.get(variable) ?? []), `src/${file.split(path.sep).join('/')}`])
    }
  }
  return reads
}

describe('the reader', () => {
  it('finds every way of reading a variable by name, and none in comments or strings', () => {
    const text = [
      'const a = process.env.A',
      "const b = env['B']",
      'const c = this.#options.env.C',
      'const { D, E: e } = process.env',
      '// env.COMMENT',
      "const s = 'env.STRING'",
      'const x = other.X',
    ].join('\n')
    expect(variablesRead('x.ts', text)).toEqual(['A', 'B', 'C', 'D', 'E'])
  })
})

describe('src/', () => {
  const reads = readsUnderSrc()
  const rows = new Set(botSettings().map((setting) => setting.variable))

  it('reads no variable that is neither a setting nor on the short list of those that are not', () => {
    const strays = [...reads].filter(([variable]) => !rows.has(variable) && !(variable in NOT_SETTINGS)).map(([v, files]) => `${v} (${files.join(', ')})`)
    expect(strays, 'add a row to the settings table for each, or to NOT_SETTINGS with why').toEqual([])
  })

  it('still reads every variable the list says it does, and none of them is a setting', () => {
    for (const variable of Object.keys(NOT_SETTINGS)) {
      expect(reads.has(variable), `${variable} is read nowhere: take it off the list`).toBe(true)
      expect(rows.has(variable)).toBe(false)
    }
  })
})
