// A benchmark config for tests that score several reference models at once: each model id in MILO_TEST_MODELS
// (`;`-separated, e.g. `oracle;oracle,flaw=wrong-tool`) becomes a project on the embedded server, named by its id with
// the punctuation turned into dashes (`oracle-flaw-wrong-tool`). One `vitest run` then scores them all, paying the
// start-up once instead of once per model, exactly as a user's matrix of several models runs. MILO_TEST_ONLY (JSON,
// id -> spec files) narrows a model's project to the spec files it names: a flaw that only some categories can show
// need not run the others. MILO_TEST_BASE_URL points the ids at a test's own reference server instead.

import type { ModelEntry } from '../../src/core/types.ts'
import { models } from '../../fixtures/models.ts'
import { suites } from '../../fixtures/suites.ts'
import { defineBenchConfig } from '../../src/node/config.ts'
import { matrixProject } from './run-bench.ts'

const ids = (process.env.MILO_TEST_MODELS ?? '').split(';').map(id => id.trim()).filter(id => id !== '')

/** A test's own reference server (one with scripts, say) instead of the embedded one, for every id not in the matrix. */
const baseURL = process.env.MILO_TEST_BASE_URL

/** A reference model of the matrix (fixtures/models.ts) as it is there; any other id (a flaw, a latency, a script) as a plain entry. */
const entry = (id: string): ModelEntry => (models as Record<string, ModelEntry>)[id] ?? ({
  name: id,
  model: id,
  context: { label: '1M', tokens: 1_000_000 },
  concurrency: 16,
  ...(baseURL ? { baseURL, server: 'vllm', where: 'local' } : { baseURL: 'embedded', server: 'reference', where: 'embedded' }),
})

const only = JSON.parse(process.env.MILO_TEST_ONLY ?? '{}') as Record<string, string[]>

const config = defineBenchConfig({
  models: Object.fromEntries(ids.map(id => [matrixProject(id), entry(id)])),
  suites,
  root: new URL('../..', import.meta.url).pathname,
})
for (const project of config.test?.projects ?? []) {
  if (typeof project === 'object' && 'test' in project && project.test) {
    const files = Object.entries(only).find(([id]) => matrixProject(id) === project.test?.name)?.[1]
    if (files) {
      project.test.include = files
    }
  }
}
export default config
