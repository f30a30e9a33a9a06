// Rules for how the modules under src/ may depend on each other, checked on the import graph the sources spell out.
// Imports are read with the TypeScript parser, so an import in a comment or a string does not count.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

/** The core's entry files: neither they nor any module they import, however indirectly, may import from FEATURES. */
const CORE_ENTRIES = ['src/bot/bot-core.ts']
/** The folder that feature modules live in. */
const FEATURES = 'src/plugins/'
/** The only modules that may import xmpp.js (`@xmpp/*`): everything else goes through them. */
const XMPP_JS_GATEWAYS = ['src/wire/xmppjs.ts', 'src/xml.ts', 'src/wire/xmppjs-component.ts', 'src/wire/xmppjs-client.ts']

/**
 * The layers under src/, bottom first. A module may import from its own layer and from the layers below it, never
 * from one above; layers that share a rank are siblings and do not import each other (dispatch never reaches the
 * wire, nor the wire dispatch: the bot joins them). A type two siblings share lives in a lower layer.
 */
const LAYERS: readonly { readonly name: string; readonly rank: number; readonly holds: (file: string) => boolean }[] = [
  { name: 'leaves', rank: 0, holds: (f) => /^src\/[^/]+\.ts$/.test(f) && !['src/index.ts', 'src/create-bot.ts'].includes(f) },
  { name: 'src/pacing/', rank: 1, holds: (f) => f.startsWith('src/pacing/') },
  { name: 'src/log/', rank: 1, holds: (f) => f.startsWith('src/log/') },
  { name: 'src/settings/', rank: 2, holds: (f) => f.startsWith('src/settings/') },
  { name: 'src/wire/', rank: 3, holds: (f) => f.startsWith('src/wire/') },
  { name: 'src/dispatch/', rank: 3, holds: (f) => f.startsWith('src/dispatch/') },
  { name: 'src/process/', rank: 3, holds: (f) => f.startsWith('src/process/') },
  { name: 'src/bot/', rank: 4, holds: (f) => f.startsWith('src/bot/') },
  { name: FEATURES, rank: 5, holds: (f) => f.startsWith(FEATURES) },
  { name: 'the assembly', rank: 6, holds: (f) => f === 'src/index.ts' || f === 'src/create-bot.ts' },
  { name: 'src/testing/', rank: 7, holds: (f) => f.startsWith('src/testing/') },
  { name: 'src/cli/', rank: 7, holds: (f) => f.startsWith('src/cli/') },
]
/** Layers below the plugins that plugins still may not use: they are the bot's insides, not its public API. */
const PLUGINS_NEVER_IMPORT = ['src/wire/', 'src/process/']

const SRC = 'src/'
/** Past this, a module has usually grown a second job. */
const MAX_LINES = 450
const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** File → the files under src/ it imports; paths are relative to the repository and use `/`. */
type Graph = ReadonlyMap<string, readonly string[]>

/** Every module specifier the file imports or re-exports from, type-only and dynamic imports included. */
function specifiersOf(file: string, text: string): string[] {
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [specifier] = node.arguments
      if (specifier && ts.isStringLiteralLike(specifier)) found.push(specifier.text)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      // `import('./x.js').T` in a type: a type import all the same.
      found.push(node.argument.literal.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS))
  return found
}

/**
 * The graph of relative imports among `specifiers` (file → its specifiers), `./x.js` standing for `./x.ts`.
 * `unresolved` lists the ones that point into src/ but at no file there: the graph would silently miss them.
 */
function importGraph(specifiers: ReadonlyMap<string, readonly string[]>): { graph: Graph; unresolved: string[] } {
  const graph = new Map<string, string[]>()
  const unresolved: string[] = []
  for (const [file, specs] of specifiers) {
    const targets = new Set<string>()
    for (const spec of specs) {
      if (!spec.startsWith('./') && !spec.startsWith('../')) continue
      const target = path.posix.join(path.posix.dirname(file), spec).replace(/\.js$/, '.ts')
      if (specifiers.has(target)) targets.add(target)
      else if (target.startsWith(SRC)) unresolved.push(`${file}: ${spec}`)
    }
    graph.set(file, [...targets].sort())
  }
  return { graph, unresolved }
}

/** Every elementary cycle, each written from its alphabetically first file back to it. */
function cyclesOf(graph: Graph): string[][] {
  const cycles: string[][] = []
  for (const start of [...graph.keys()].sort()) {
    // Only through files after `start`, so that each cycle is found once, from its first file.
    const trail = [start]
    const walk = (file: string): void => {
      for (const next of graph.get(file) ?? []) {
        if (next === start) {
          cycles.push([...trail, start])
        } else if (next > start && !trail.includes(next)) {
          trail.push(next)
          walk(next)
          trail.pop()
        }
      }
    }
    walk(start)
  }
  return cycles
}

/** For each file `entry` reaches that `forbidden` accepts, the shortest import chain to it. */
function chainsTo(graph: Graph, entry: string, forbidden: (file: string) => boolean): string[][] {
  const via = new Map<string, string | undefined>([[entry, undefined]])
  const queue = [entry]
  const chains: string[][] = []
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (forbidden(file)) {
      const chain: string[] = []
      for (let step: string | undefined = file; step !== undefined; step = via.get(step)) chain.unshift(step)
      chains.push(chain)
      continue
    }
    for (const next of graph.get(file) ?? []) {
      if (!via.has(next)) {
        via.set(next, file)
        queue.push(next)
      }
    }
  }
  return chains
}

/** XMPP namespaces written as string literals (comments and TSDoc do not count). */
function namespaceLiteralsOf(file: string, text: string): string[] {
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) && /^(urn:xmpp:|urn:ietf:params:xml:ns:|jabber:|http:\/\/jabber\.org\/protocol\/)/.test(node.text)) found.push(node.text)
    ts.forEachChild(node, visit)
  }
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS))
  return found
}

const arrows = (files: readonly string[]): string => files.join(' -> ')

/** The modules under `dir`, each with its specifiers; declaration files describe packages, not modules of ours. */
function sourcesOf(dir: string): Map<string, string[]> {
  const files = readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .map((f) => path.posix.join(dir, f.split(path.sep).join('/')))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort()
  return new Map(files.map((f) => [f, specifiersOf(f, readFileSync(path.join(ROOT, f), 'utf8'))]))
}

/** The layer that holds `file`, if any. */
function layerOf(file: string): (typeof LAYERS)[number] | undefined {
  return LAYERS.find((layer) => layer.holds(file))
}

/** Every import that runs up a layer, across to a sibling, or from a plugin into the bot's insides. */
function layerViolations(graph: Graph): string[] {
  const found: string[] = []
  for (const [file, targets] of graph) {
    const from = layerOf(file)
    for (const target of targets) {
      const to = layerOf(target)
      if (!from || !to || from === to) continue
      const insides = from.name === FEATURES && PLUGINS_NEVER_IMPORT.includes(to.name)
      if (to.rank >= from.rank || insides) found.push(`${file} (${from.name}) -> ${target} (${to.name})`)
    }
  }
  return found
}

describe('the checker', () => {
  it('finds every form of import and re-export, and none in comments or strings', () => {
    const text = [
      `import { a } from './a.js'`,
      `import type { B } from './b.js'`,
      `import './c.js'`,
      `export { d } from './d.js'`,
      `export type { E } from './e.js'`,
      `export * from './f.js'`,
      `const g = await import('./g.js')`,
      `type H = import('./h.js').H`,
      `// import { x } from './comment.js'`,
      `/* export * from './block.js' */`,
      `const s = "import { y } from './string.js'"`,
      'const t = `import("./template.js")`',
    ].join('\n')
    expect(specifiersOf('src/x.ts', text)).toEqual(['./a.js', './b.js', './c.js', './d.js', './e.js', './f.js', './g.js', './h.js'])
  })

  it('finds a cycle that a type-only import closes, through a ./dir/index.js', () => {
    const sources = new Map([
      ['src/a.ts', specifiersOf('src/a.ts', `import { b } from './b.js'`)],
      ['src/b.ts', specifiersOf('src/b.ts', `export { c } from './sub/index.js'`)],
      ['src/sub/index.ts', specifiersOf('src/sub/index.ts', `import type { A } from '../a.js'`)],
      ['src/leaf.ts', specifiersOf('src/leaf.ts', `import { a } from './a.js'`)],
    ])
    const { graph, unresolved } = importGraph(sources)
    expect(unresolved).toEqual([])
    expect(cyclesOf(graph).map(arrows)).toEqual(['src/a.ts -> src/b.ts -> src/sub/index.ts -> src/a.ts'])
  })

  it('reports an import it cannot resolve instead of dropping it', () => {
    const { unresolved } = importGraph(new Map([['src/a.ts', ['./gone.js', '../package.json', 'node:fs']]]))
    expect(unresolved).toEqual(['src/a.ts: ./gone.js'])
  })

  it('finds the chain by which an entry reaches a forbidden file', () => {
    const graph = new Map([
      ['src/core.ts', ['src/util.ts']],
      ['src/util.ts', ['src/plugins/feature.ts']],
      ['src/plugins/feature.ts', ['src/core.ts']],
    ])
    expect(chainsTo(graph, 'src/core.ts', (f) => f.startsWith('src/plugins/')).map(arrows)).toEqual(['src/core.ts -> src/util.ts -> src/plugins/feature.ts'])
  })
})

describe('the layer rules', () => {
  it('refuse an arrow up a layer, across to a sibling, and from a plugin into the wire', () => {
    const graph = new Map([
      ['src/wire/session.ts', ['src/bot/bot-core.ts', 'src/dispatch/router.ts', 'src/xml.ts']],
      ['src/plugins/ping/ping.ts', ['src/wire/transport.ts', 'src/bot/bot-core.ts']],
      ['src/bot/bot-core.ts', ['src/wire/session.ts']],
    ])
    expect(layerViolations(graph)).toEqual([
      'src/wire/session.ts (src/wire/) -> src/bot/bot-core.ts (src/bot/)',
      'src/wire/session.ts (src/wire/) -> src/dispatch/router.ts (src/dispatch/)',
      'src/plugins/ping/ping.ts (src/plugins/) -> src/wire/transport.ts (src/wire/)',
    ])
  })
})

describe('src/', () => {
  const sources = sourcesOf(SRC)
  const { graph, unresolved } = importGraph(sources)

  it('has every relative import resolved to a module, so that the checks below see all of them', () => {
    expect(unresolved).toEqual([])
  })

  it('has no import cycle, type-only imports included', () => {
    const cycles = cyclesOf(graph).map(arrows)
    expect(cycles.length, `${cycles.length} import cycles:\n${cycles.join('\n')}\n`).toBe(0)
  })

  it(`has a core that imports nothing from ${FEATURES}`, () => {
    for (const entry of CORE_ENTRIES) expect(graph.has(entry), `${entry} is not a module under ${SRC}`).toBe(true)
    const chains = CORE_ENTRIES.flatMap((entry) => chainsTo(graph, entry, (f) => f.startsWith(FEATURES))).map(arrows)
    expect(chains.length, `the core reaches into ${FEATURES}:\n${chains.join('\n')}\n`).toBe(0)
  })

  it('keeps about ten files directly in src/: the rest live in the folder of their layer', () => {
    const top = [...sources.keys()].filter((file) => !file.slice(SRC.length).includes('/'))
    expect(top.length, top.join('\n')).toBeLessThanOrEqual(10)
  })

  it(`has no module over ${MAX_LINES} lines: one job each`, () => {
    const long = [...sources.keys()]
      .map((file) => ({ file, lines: readFileSync(path.join(ROOT, file), 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > MAX_LINES)
    expect(long).toEqual([])
  })

  it('has every module in a layer', () => {
    expect([...graph.keys()].filter((file) => !layerOf(file))).toEqual([])
  })

  it('has no import that runs up a layer, across to a sibling layer, or from a plugin into the wire or the runner', () => {
    const violations = layerViolations(graph)
    expect(violations.length, `imports against the layers:\n${violations.join('\n')}\n`).toBe(0)
  })

  it('names each XML namespace once, in src/ns.ts', () => {
    const strays = [...sources.keys()]
      .filter((file) => file !== 'src/ns.ts')
      .flatMap((file) => namespaceLiteralsOf(file, readFileSync(path.join(ROOT, file), 'utf8')).map((ns) => `${file}: ${ns}`))
    expect(strays).toEqual([])
  })

  it(`imports xmpp.js only in ${XMPP_JS_GATEWAYS.join(' and ')}`, () => {
    const strays = [...sources]
      .filter(([file]) => !XMPP_JS_GATEWAYS.includes(file))
      .flatMap(([file, specs]) => specs.filter((s) => s.startsWith('@xmpp/')).map((s) => `${file}: ${s}`))
    expect(strays).toEqual([])
  })
})
