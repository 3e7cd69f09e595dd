// The project's own tests: offline, no keys. Unit tests of the pure parts on plain data, and end-to-end runs of the
// benchmark the way users run it (child `vitest run` processes against the embedded server).

import { defineConfig } from 'vitest/config'
import { sequencerStartingWith } from './support/sequencer.ts'

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    setupFiles: ['./src/runtime/setup.ts'],
    // The benchmark runs several files read (support/shared-runs.ts).
    globalSetup: ['./test/support/global-setup.ts'],
    // The files that wait longest on benchmark runs start first.
    sequence: { sequencer: sequencerStartingWith(['bench.test.ts', 'coding-agent.test.ts', 'classic.test.ts', 'watch.test.ts', 'faults.test.ts', 'leaderboard.test.ts', 'v1.test.ts', 'html.test.ts', 'shards.test.ts', 'compare.test.ts', 'cache.test.ts']) },
    // Many tests run the benchmark itself in a child process: on 2 cores that takes tens of seconds.
    testTimeout: 240_000,
    // Most files wait on benchmark runs in child processes: three files at once keep both cores busy.
    maxWorkers: 3,
    hookTimeout: 240_000,
  },
})
