import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { VERSION } from 'natter'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { natterDependency } from '../../src/cli/natter-source.js'

let root: string
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'natter-source-'))
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

/** A natter package at `dir`, with the file the command runs from; returns that file. */
async function natterAt(dir: string): Promise<string> {
  await mkdir(path.join(dir, 'dist', 'src', 'cli'), { recursive: true })
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'natter', version: VERSION }))
  const file = path.join(dir, 'dist', 'src', 'cli', 'main.js')
  await writeFile(file, '')
  return file
}

/** npm's hidden lock in `project`, saying natter was resolved from `resolved`. */
async function installedFrom(project: string, resolved: string): Promise<void> {
  await writeFile(path.join(project, 'node_modules', '.package-lock.json'), JSON.stringify({ packages: { 'node_modules/natter': { resolved } } }))
}

describe('natterDependency', () => {
  it('is the checkout it runs from, as a file: path', async () => {
    expect(await natterDependency(await natterAt(path.join(root, 'natter')))).toBe(`file:${path.join(root, 'natter')}`)
  })

  it('is the tarball npm installed it from (npx natter-0.1.0.tgz), as an absolute file: path', async () => {
    const project = path.join(root, 'npx-cache')
    const file = await natterAt(path.join(project, 'node_modules', 'natter'))
    await writeFile(path.join(root, 'natter-0.1.0.tgz'), '')
    await installedFrom(project, 'file:../natter-0.1.0.tgz')
    expect(await natterDependency(file)).toBe(`file:${path.join(root, 'natter-0.1.0.tgz')}`)
  })

  it('is the version range when it came from the registry, or the tarball is gone', async () => {
    const project = path.join(root, 'app')
    const file = await natterAt(path.join(project, 'node_modules', 'natter'))
    await installedFrom(project, `https://registry.npmjs.org/natter/-/natter-${VERSION}.tgz`)
    expect(await natterDependency(file)).toBe(`^${VERSION}`)
    await installedFrom(project, 'file:../gone.tgz')
    expect(await natterDependency(file)).toBe(`^${VERSION}`)
  })
})
