import { mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { CANT_CREATE, Failure } from './failure.js'
import type { Io } from './io.js'
import { natterDependency } from './natter-source.js'
import { echoBotProject } from './templates/echo-bot.js'

/**
 * `natter new <dir>`: writes a new bot project (the echo bot, its test, a Procfile, a README) into
 * a directory that does not exist yet or is empty, and prints what to run next. Never writes over
 * anything: a non-empty directory is a {@link Failure} with exit code 73.
 *
 * @example
 * ```ts
 * await newProject('mybot', processIo)
 * ```
 */
export async function newProject(dir: string, io: Io): Promise<void> {
  const target = path.resolve(dir)
  const existing = await readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []
    if (error.code === 'ENOTDIR') throw new Failure(`${dir} is a file; name a new directory`, CANT_CREATE)
    throw new Failure(`cannot read ${dir}: ${error.message}`, CANT_CREATE)
  })
  if (existing.length > 0) throw new Failure(`${dir} is not empty; natter new writes only into a new or empty directory`, CANT_CREATE)
  const files = echoBotProject({ name: packageName(target), natterSpec: await natterDependency() })
  try {
    await mkdir(target, { recursive: true })
    // 'wx': should anything appear there meanwhile, fail rather than write over it.
    for (const [file, text] of Object.entries(files)) await writeFile(path.join(target, file), text, { flag: 'wx' })
  } catch (error) {
    throw new Failure(`cannot write ${dir}: ${(error as Error).message}`, CANT_CREATE)
  }
  const where = path.relative(process.cwd(), target) || '.'
  const cd = shellWord(where)
  for (const line of [
    `Wrote an echo bot to ${where}. Next:`,
    '',
    `  cd ${cd}`,
    '  npm install',
    '  npm test',
    '  npx natter dev          # chat with it on a private XMPP server',
    '  cp .env.example .env    # then set JID and JPASSWORD',
    '  npm start -- -D',
    '',
    `Deploying it to Heroku: ${path.join(where, 'README.md')}.`,
  ]) {
    io.out(line)
  }
}

/**
 * An npm package name made from the directory's name: lower case, URL-safe characters, no leading
 * dot or underscore.
 */
function packageName(target: string): string {
  const name = path
    .basename(target)
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '')
    .slice(0, 214)
  return name || 'natter-bot'
}

/** The path as one word for a POSIX shell, quoted only when it has to be. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`
}
