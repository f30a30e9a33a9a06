// `npm run recovery`, which docs/staying-up.md and docs/scaling-out.md quote, run once per fault and
// scenario: it must get through every one of them and print both tables. The figures themselves are the
// tool's to measure, not this test's to judge; what the drills guarantee is checked in formation.test.ts. The
// drills for lasting faults are left out (`--no-faults`): formation-faults.test.ts runs them, shorter; so are the
// state drills (`--no-state`, minutes more): state-drill.test.ts runs them.
import { execFile } from 'node:child_process'
import { expect, it } from 'vitest'
import { ROOT } from '../../tools/bot-process.js'
import { afterBuild } from '../support/npm-script.js'

const FAULTS = 5
const SCENARIOS = 9

it('npm run recovery -- --runs 1 measures every fault and formation scenario, and loses no message', { timeout: 300_000 }, async () => {
  const command = await afterBuild('recovery')
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile('sh', ['-c', `${command} --runs 1 --no-faults --no-state`], { cwd: ROOT, timeout: 280_000 }, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    )
  })
  expect(result.code, result.stderr).toBe(0)
  const rows = result.stdout.split('\n').filter((line) => /^\| (?!fault |scenario |---)/.test(line))
  expect(rows, result.stdout).toHaveLength(FAULTS + SCENARIOS)
  const scenarios = rows.slice(FAULTS).map((row) => row.split('|').map((cell) => cell.trim()))
  // | scenario | messages | runs | lost (all runs) | ...
  expect(scenarios.map((cells) => cells[4])).toEqual(Array(SCENARIOS).fill('0'))
})
