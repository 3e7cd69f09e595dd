// defineBenchConfig's Vitest config as Vitest reads it: the settings a project must carry itself (an inline project
// inherits nothing from the root config), and what the main process hands its workers.

import type { ViteUserConfig } from 'vitest/config'
import { afterEach, describe, expect, it } from 'vitest'
import { models } from '../fixtures/models.ts'
import { suites } from '../fixtures/suites.ts'
import { defineBenchConfig } from '../src/node/config.ts'

type ProjectTest = { name: string, pool?: string, isolate?: boolean, include?: string[] }

// defineBenchConfig reads --project filters from the command line: give it a plain one, as `vitest run` has.
const argv = process.argv
afterEach(() => {
  process.argv = argv
})
function config(): ViteUserConfig {
  process.argv = [argv[0] ?? 'node', 'vitest', 'run']
  return defineBenchConfig({ models: { oracle: models.oracle, baseline: models.baseline }, suites, env: {} })
}

describe('defineBenchConfig', () => {
  it('runs every project in the threads pool, workers keeping their modules between spec files', () => {
    const projects = (config().test?.projects ?? []) as { test: ProjectTest }[]
    expect(projects.map(project => project.test.name)).toEqual(['oracle', 'baseline'])
    for (const project of projects) {
      // Set on the project itself: a pool set only at the root left the projects in forks.
      expect(project.test).toMatchObject({ pool: 'threads', isolate: false })
      expect(project.test.include?.length).toBe(suites.reduce((n, suite) => n + suite.categories.length, 0))
    }
  })

  it('keeps transformed modules on disk between runs, and hands the workers the digests of the task files it checked', () => {
    delete process.env.MILO_CHECKED_TASKS
    expect(config().test?.experimental).toMatchObject({ fsModuleCache: true })
    const digests = (process.env.MILO_CHECKED_TASKS ?? '').split(' ')
    expect(digests.length).toBeGreaterThanOrEqual(suites.reduce((n, suite) => n + suite.categories.length, 0))
    expect(digests.every(digest => /^[0-9a-f]{24}$/.test(digest))).toBe(true)
  })
})
