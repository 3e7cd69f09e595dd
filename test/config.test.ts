// defineBenchConfig's Vitest config as Vitest reads it: the settings a project must carry itself (an inline project
// inherits nothing from the root config), and what the main process hands its workers.

import type { ViteUserConfig } from 'vitest/config'
import { afterEach, describe, expect, it } from 'vitest'
import { models } from '../fixtures/models.ts'
import { suites } from '../fixtures/suites.ts'
import { defineBenchConfig } from '../src/node/config.ts'
import { usableCpus } from '../src/node/settings.ts'

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

  it('shards the matrix by model and spec file: every project carries the plugin that says so to the sequencer', () => {
    const projects = (config().test?.projects ?? []) as { plugins?: { name: string }[] }[]
    for (const project of projects) {
      expect(project.plugins?.map(plugin => plugin.name)).toContain('milo-bench:shard-by-model')
    }
  })

  it('keeps transformed modules on disk between runs, and hands the workers the digests of the task files it checked', () => {
    delete process.env.MILO_CHECKED_TASKS
    expect(config().test?.experimental).toMatchObject({ fsModuleCache: true })
    const digests = (process.env.MILO_CHECKED_TASKS ?? '').split(' ')
    // every category's file, and the spec v1's long-context category is generated from
    expect(digests.length).toBeGreaterThanOrEqual(suites.reduce((n, suite) => n + suite.categories.length, 0) + 1)
    expect(digests.every(digest => /^[0-9a-f]{24}$/.test(digest))).toBe(true)
  })
})

describe('the default worker count', () => {
  const files = (contents: Record<string, string>) => (path: string): string => {
    const text = contents[path]
    if (text === undefined) {
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
    }
    return text
  }

  it('follows a container\'s CPU quota (cgroup v2 and v1), not the host\'s cores', () => {
    expect(usableCpus(64, files({ '/sys/fs/cgroup/cpu.max': '200000 100000\n' }))).toBe(2)
    expect(usableCpus(64, files({ '/sys/fs/cgroup/cpu.max': '150000 100000' }))).toBe(2)
    expect(usableCpus(64, files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '400000\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' }))).toBe(4)
    // a quota above the cores the process may run on does not raise it
    expect(usableCpus(2, files({ '/sys/fs/cgroup/cpu.max': '800000 100000' }))).toBe(2)
  })

  it('keeps the cores where there is no quota, or none it can read', () => {
    expect(usableCpus(8, files({ '/sys/fs/cgroup/cpu.max': 'max 100000' }))).toBe(8)
    expect(usableCpus(8, files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' }))).toBe(8)
    expect(usableCpus(8, files({}))).toBe(8)
    expect(usableCpus(8, files({ '/sys/fs/cgroup/cpu.max': 'garbage' }))).toBe(8)
  })
})
