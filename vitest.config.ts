import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/** The in-memory unit tests; everything else under test/ runs against real servers and processes. */
const UNIT = ['test/*.test.ts', 'test/{bot,dispatch,log,pacing,plugins,process,settings,testing,wire}/**/*.test.ts']
/**
 * Integration tests that load the machine on purpose, run on their own: beside the formation drills, the state
 * drills' three processes and their senders made those count a reply twice on a 2-core machine.
 */
const LOAD = ['test/integration/flood-out.test.ts', 'test/integration/state-drill.test.ts']

export default defineConfig({
  resolve: {
    // Tests import the library by its package name, straight from the sources.
    alias: [
      { find: /^natter\/testing$/, replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)) },
      { find: /^natter$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests each run a Prosody and real clients: more workers than the 2 cores only add noise.
    fileParallelism: true,
    maxWorkers: 2,
    // CI also gets a machine-readable summary, which .ci/run turns into one plain closing line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      // Without it tsc reads the root tsconfig.json, which leaves test/ out: type tests would pass unchecked.
      tsconfig: 'test/tsconfig.json',
    },
    projects: [
      {
        extends: true,
        // Unit tests share no state but the module cache: a fresh process per file would cost more than the tests.
        test: { name: 'unit', include: UNIT, isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...UNIT, ...LOAD],
          typecheck: { enabled: false },
          globalSetup: ['test/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'load',
          include: LOAD,
          typecheck: { enabled: false },
          globalSetup: ['test/global-setup.ts'],
          // After everything else: they keep both cores busy, and timing-sensitive tests beside them would suffer.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
