// The npm scripts the README tells people to run build first; `npm test` has built dist/ before any test starts,
// so the tests run what comes after the build, as the script would, without building again under the feet of
// the other test files.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ROOT } from '../../tools/bot-process.js'

/** What `npm run build` runs, and what the scripts that build first start with. */
export const BUILD = 'tsc -p tsconfig.json'

/** This repository's npm scripts, by name. */
export async function npmScripts(): Promise<Record<string, string>> {
  return (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
}

/** The command of `npm run <name>` after its build step; throws when the script does not start with the build. */
export async function afterBuild(name: string): Promise<string> {
  const script = (await npmScripts())[name] ?? ''
  const prefix = `${BUILD} && `
  if (!script.startsWith(prefix)) throw new Error(`npm run ${name} is "${script}", not "${prefix}<command>"`)
  return script.slice(prefix.length)
}
