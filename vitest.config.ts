// The benchmark's Vitest config, built with the same function a user's is (milo-bench/config): every model in
// fixtures/models.ts becomes a project running every spec file of the built-in suites, and the leaderboard reporter
// scores them. Gate thresholds for CI go in `gate` below.

import { models } from './fixtures/models.ts'
import { suites } from './fixtures/suites.ts'
import { defineBenchConfig } from './src/node/config.ts'

export default defineBenchConfig({
  models,
  suites,
  // Per-suite, per-category and per-project thresholds (fractions of the maximum), e.g.
  // gate: { suites: { classic: 0.9 }, categories: { 'classic/multi-step': 0.75 } },
  gate: {},
})
