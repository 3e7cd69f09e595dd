// The project's own tests: offline, no keys. Two projects:
// - `unit` (test/*.test.ts): the pure parts on plain data, and the client, agent loop and normaliser against loopback
//   servers in the test process; seconds. `npx vitest --config test/vitest.config.ts --project unit` while editing.
// - `e2e` (test/*.e2e.test.ts): the benchmark run the way users run it (child `vitest run` processes against the
//   embedded server), the sandbox, the browser, watch mode; minutes.

import { defineConfig } from 'vitest/config'
import { sequencerStartingWith } from './support/sequencer.ts'

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    setupFiles: ['./src/runtime/setup.ts'],
    // One temp folder for the whole run, removed at its end (every project inherits it; the first one makes it).
    globalSetup: ['./test/support/temp-folder.ts'],
    // The files that wait longest on benchmark runs start first.
    sequence: { sequencer: sequencerStartingWith(['bench.e2e.test.ts', 'coding-agent.e2e.test.ts', 'classic.e2e.test.ts', 'watch.e2e.test.ts', 'faults.e2e.test.ts', 'leaderboard.e2e.test.ts', 'v1.e2e.test.ts', 'html.e2e.test.ts', 'shards.e2e.test.ts', 'compare.e2e.test.ts', 'cache.e2e.test.ts']) },
    // End-to-end files wait on benchmark runs in child processes: three files at once keep both cores busy.
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        // A few replay every task's reference solution: seconds, more on a machine busy with the e2e project. A worker
        // keeps its modules between files (the suites load once a worker, not once a file).
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/**/*.e2e.test.ts'], testTimeout: 30_000, isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.test.ts'],
          // A worker keeps its modules between files, so the worker-scoped fixtures (one reference server a worker,
          // support/reference-server.ts) are shared by the files it runs.
          isolate: false,
          // The benchmark runs several files read (support/shared-runs.ts).
          globalSetup: ['./test/support/global-setup.ts'],
          // A whole benchmark in a child process takes tens of seconds on 2 cores, more beside the other files' runs.
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
})
