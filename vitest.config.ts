// The benchmark's Vitest config: every model in fixtures/models.ts becomes a project running every spec file under
// benchmarks/, and the leaderboard reporter scores them. Gate thresholds for CI go in `gate` below.

import { defineConfig } from 'vitest/config'
import { models } from './fixtures/models.ts'
import LeaderboardReporter from './reporters/leaderboard-reporter.ts'
import ProgressReporter from './reporters/progress-reporter.ts'
import { loadEnvFile } from './src/runtime/env-file.ts'
import { projectFilters, unmatchedProjects } from './src/node/matrix.ts'
import { loadSettings } from './src/node/settings.ts'

// `.env` may hold MILO_BASE_URL / MILO_MODEL and the base-URL overrides; keys are read again in the workers.
loadEnvFile()

// Every MILO_* setting, parsed once: a bad value is one line and exit 1 here, before any test runs. The rest of the
// harness receives this object (the reporters directly, the global setup and the workers through `provide`).
const settings = loadSettings(models, process.env)
const specs = settings.models

// Vitest answers an unknown --project with a stack trace; say which models exist instead.
const unknown = unmatchedProjects(projectFilters(process.argv), specs.map(spec => spec.key))
if (unknown.length > 0) {
  console.error(unknown.join('\n'))
  process.exit(1)
}

// What every model's project shares. Spelled out per project rather than inherited with `extends: true`, which would
// evaluate this file again for each of the matrix's projects at start-up.
const shared = {
  include: ['benchmarks/**/*.spec.ts'],
  setupFiles: ['./src/runtime/setup.ts'],
  globalSetup: ['./src/node/global-setup.ts'],
  // Spec files keep no state that needs a fresh module graph each: a worker imports the suites and tools once, and
  // shares one client per model between the files it runs.
  isolate: false,
}

export default defineConfig({
  test: {
    ...shared,
    // Tasks run concurrently; 4.1 reads `sequence` from the root config only.
    sequence: { concurrent: true },
    // Model calls wait on the network, not the CPU: run several spec files at once (the slot server bounds calls).
    maxWorkers: settings.workers,
    // Workers wait on the network, not the CPU: threads start faster than processes.
    pool: 'threads',
    reporters: [
      'default',
      new LeaderboardReporter({
        // Per-suite, per-category and per-project thresholds (fractions of the maximum), e.g.
        // gate: { suites: { classic: 0.9 }, categories: { 'classic/multi-step': 0.75 } },
        gate: {},
        settings,
      }),
      // One line per finished prompt on a terminal (MILO_PROGRESS=1 forces it, 0 silences it).
      // Progress: a line per finished run above the default reporter's live summary on a terminal, a bar with an ETA
      // where nothing else draws (npm run bench); MILO_PROGRESS=1 forces lines in CI, 0 silences it (read from the settings).
      new ProgressReporter(),
    ],
    // Reporters named on the command line (`npm run bench`) and the global setup read the settings from here.
    provide: { settings },
    projects: specs.map(spec => ({
      test: {
        ...shared,
        name: spec.key,
        provide: { model: spec },
        // Tests in flight per worker; the slot server bounds requests across workers to `concurrency`.
        maxConcurrency: Math.max(spec.concurrency ?? 4, 4),
      },
    })),
  },
})
