// A benchmark config for tests that score several reference models at once: each model id in MILO_TEST_MODELS
// (`;`-separated, e.g. `oracle;oracle,flaw=wrong-tool`) becomes a project on the embedded server, named by its id with
// the punctuation turned into dashes (`oracle-flaw-wrong-tool`). One `vitest run` then scores them all, paying the
// start-up once instead of once per model, exactly as a user's matrix of several models runs.

import type { ModelEntry } from '../../src/core/types.ts'
import { models } from '../../fixtures/models.ts'
import { suites } from '../../fixtures/suites.ts'
import { defineBenchConfig } from '../../src/node/config.ts'
import { matrixProject } from './run-bench.ts'

const ids = (process.env.MILO_TEST_MODELS ?? '').split(';').map(id => id.trim()).filter(id => id !== '')

/** A reference model of the matrix (fixtures/models.ts) as it is there; any other id (a flaw, a latency) as a plain entry. */
const entry = (id: string): ModelEntry => (models as Record<string, ModelEntry>)[id] ?? ({
  name: id,
  model: id,
  baseURL: 'embedded',
  server: 'reference',
  where: 'embedded',
  context: { label: '1M', tokens: 1_000_000 },
  concurrency: 16,
})

export default defineBenchConfig({
  models: Object.fromEntries(ids.map(id => [matrixProject(id), entry(id)])),
  suites,
  root: new URL('../..', import.meta.url).pathname,
})
