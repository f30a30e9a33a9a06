// The docs name only what is there: every file of the repository they name in backticks (`src/...`, `test/...`) or
// link to exists, and every link to a heading finds it. So a file that is moved or renamed takes its mentions along,
// or this test says where they are. docs/configuration.md is generated elsewhere from the settings table: a link to
// it is accepted before it exists, and checked, headings included, once it does.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** The page generated from the settings table, which may not be there yet. */
const GENERATED = 'docs/configuration.md'
/** Where repository paths in backticks start; `dist/` and `docs/api/` are build output, not the repository's. */
const REPO_PATH = /^(?:src|test|tools|examples|bench|docs|\.ci)\//
const BUILT = /^(?:dist|docs\/api)\//

/** The pages checked, by path from the repository's root. */
function pages(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md'))
  return ['README.md', ...docs.sort().map((name) => `docs/${name}`), 'ARCHITECTURE.md', 'CONTRIBUTING.md']
}

/** The text of a page outside its fenced code blocks, whose paths are code (relative imports, commands). */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '')
}

/** A heading's anchor, as Markdown renderers make it: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

/** The anchors of a page's headings; a repeated heading gets `-1`, `-2`, ... */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>()
  for (const [, heading = ''] of prose(markdown).matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const base = slug(heading)
    let anchor = base
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`
    anchors.add(anchor)
  }
  return anchors
}

/** Link targets, as written: `[text](target)`. */
function linksIn(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map(([, target = '']) => target)
}

/** The repository paths in backticks: each word of a code span that starts like one, placeholders and build output left out. */
function pathsIn(markdown: string): string[] {
  const spans = [...prose(markdown).matchAll(/`([^`]+)`/g)].map(([, span = '']) => span)
  return spans.flatMap((span) => span.split(/\s+/)).filter((word) => REPO_PATH.test(word) && !BUILT.test(word) && !/[<>]|\.\.\./.test(word))
}

/** Whether a path from the root is there; a `*` in its last part matches any characters. */
function exists(file: string): boolean {
  const clean = file.replace(/\/$/, '')
  if (!clean.includes('*')) return existsSync(path.join(ROOT, clean))
  const dir = path.posix.dirname(clean)
  const pattern = new RegExp(`^${path.posix.basename(clean).split('*').map(escapeRegExp).join('.*')}$`)
  return existsSync(path.join(ROOT, dir)) && readdirSync(path.join(ROOT, dir)).some((name) => pattern.test(name))
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** What is wrong with a link from `page`, if anything. */
function brokenLink(page: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return `${page}: ${target} leads out of the repository`
  const [file = '', anchor] = target.split('#')
  const resolved = file === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), file))
  if (resolved.startsWith('../')) return `${page}: ${target} leads out of the repository`
  if (!exists(resolved)) return resolved === GENERATED ? undefined : `${page}: ${target} is not there`
  if (anchor === undefined || !resolved.endsWith('.md')) return undefined
  const anchors = anchorsOf(readFileSync(path.join(ROOT, resolved), 'utf8'))
  return anchors.has(anchor) ? undefined : `${page}: ${target} names no heading of ${resolved}`
}

describe('the checker', () => {
  it('makes anchors as headings get them, repeats numbered', () => {
    const page = ['# Running a bot', '## `natter new`: start a project', '## Node.js versions', '### 1. Start a project', '## Rooms', '## Rooms'].join('\n')
    expect([...anchorsOf(page)]).toEqual(['running-a-bot', 'natter-new-start-a-project', 'nodejs-versions', '1-start-a-project', 'rooms', 'rooms-1'])
  })

  it('reads paths from code spans and links, not from code blocks, placeholders or build output', () => {
    const page = [
      'See `src/wire/outbox.ts`, `FUZZ_SEED=<n> npx vitest run test/fuzz.test.ts` and [the kit](../src/testing/).',
      '`src/plugins/<feature>/`, `dist/examples/echo.js`, `docs/api/`, `Procfile`.',
      '```ts',
      "import { buildCommands } from '../examples/gone.js' // [x](gone.md)",
      '```',
    ].join('\n')
    expect(pathsIn(page)).toEqual(['src/wire/outbox.ts', 'test/fuzz.test.ts'])
    expect(linksIn(page)).toEqual(['../src/testing/'])
  })

  it('finds a missing file, a missing heading and a link out, and accepts the page that is generated later', () => {
    expect(brokenLink('docs/rooms.md', 'gone.md')).toBe('docs/rooms.md: gone.md is not there')
    expect(brokenLink('docs/rooms.md', 'handlers.md#no-such-heading')).toBe('docs/rooms.md: handlers.md#no-such-heading names no heading of docs/handlers.md')
    expect(brokenLink('README.md', 'https://example.org/')).toBe('README.md: https://example.org/ leads out of the repository')
    expect(brokenLink('docs/rooms.md', 'handlers.md#how-a-stanza-is-handled')).toBeUndefined()
    expect(brokenLink('README.md', 'test/integration/staying-up*.test.ts')).toBeUndefined()
    if (!existsSync(path.join(ROOT, GENERATED))) expect(brokenLink('docs/heroku.md', 'configuration.md#anything')).toBeUndefined()
  })
})

describe('the docs', () => {
  const texts = pages().map((page) => [page, readFileSync(path.join(ROOT, page), 'utf8')] as const)

  it('are the README, at least five pages in docs/ with their index, and the two at the top', () => {
    const inDocs = texts.map(([page]) => page).filter((page) => page.startsWith('docs/'))
    expect(inDocs).toContain('docs/README.md')
    expect(inDocs.length).toBeGreaterThanOrEqual(6)
  })

  it('name in backticks only files of the repository that are there', () => {
    const missing = texts.flatMap(([page, text]) => pathsIn(text).flatMap((file) => (exists(file) || file === GENERATED ? [] : [`${page}: ${file}`])))
    expect(missing).toEqual([])
  })

  it('link only to files and headings that are there', () => {
    const broken = texts.flatMap(([page, text]) => linksIn(text).flatMap((target) => brokenLink(page, target) ?? []))
    expect(broken).toEqual([])
  })

  it('link every page in docs/ from its index', () => {
    const index = texts.find(([page]) => page === 'docs/README.md')?.[1] ?? ''
    const linked = new Set(linksIn(index).map((target) => target.split('#')[0]))
    const pagesInDocs = texts.map(([page]) => page).filter((page) => page.startsWith('docs/') && page !== 'docs/README.md')
    expect(pagesInDocs.filter((page) => !linked.has(path.posix.basename(page)))).toEqual([])
  })
})
