// The project's own tests: offline, no keys. Unit tests of the pure parts on plain data, and end-to-end runs of the
// benchmark the way users run it (child `vitest run` processes against the embedded server).

import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    setupFiles: ['./src/runtime/setup.ts'],
    // Many tests run the benchmark itself in a child process: on 2 cores that takes tens of seconds.
    testTimeout: 240_000,
    // Most files wait on benchmark runs in child processes: three files at once keep both cores busy.
    maxWorkers: 3,
    hookTimeout: 240_000,
  },
})
