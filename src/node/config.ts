// The Vitest config of a benchmark (main process): the user's models and agents become projects, each running the spec
// files of the suites named here, with the global setup, the setup file and the reporters wired and every MILO_*
// setting parsed once. This project's own vitest.config.ts is built with it, as a user's is.

import type { Reporter } from 'vitest/node'
import type { ViteUserConfig } from 'vitest/config'
import type { GatePolicy } from '../core/gate.ts'
import type { ModelEntry, ModelSpec, Suite } from '../core/types.ts'
import { existsSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import LeaderboardReporter from '../../reporters/leaderboard-reporter.ts'
import ProgressReporter from '../../reporters/progress-reporter.ts'
import UiScoresReporter from '../../reporters/ui-scores.ts'
import { checkedTaskDigests } from '../core/suite.ts'
import { loadEnvFile } from '../runtime/env-file.ts'
import { agentSpecs } from './agents.ts'
import { projectFilters, unmatchedProjects } from './matrix.ts'
import { registerSuites } from './registry.ts'
import { shardByModel } from './sequencer.ts'
import { loadSettings, resolveCache } from './settings.ts'
import { categorySources, categoryWatch } from './watch.ts'

/** An agent of the user's own, run on the benchmark's tasks instead of milo-bench's agent loop: its own leaderboard row. */
export interface AgentEntry {
  /** Display name in the leaderboard. */
  name: string
  /** The module whose default export is the agent (an `Agent` from milo-bench): relative to the root, or absolute. */
  module: string
  /**
   * The model the agent calls, handed to it as `model`: a reference model of the embedded server by name (`oracle`),
   * or a key of `models` (its endpoint, model id and key).
   */
  model?: string
  /** The leaderboard's Where column (default: the model's, else `local`). */
  where?: ModelEntry['where']
  /** Most tasks the agent runs at once (default 4). */
  concurrency?: number
  /** Free text for the leaderboard's notes. */
  notes?: string
}

export interface BenchConfigOptions {
  /** The model matrix: each entry is a project named by its key (`--project <key>`). */
  models?: Record<string, ModelEntry>
  /** Agents of the user's own: each is a project named by its key, scored on the same tasks. */
  agents?: Record<string, AgentEntry>
  /** The suites to run: the built-in ones (`milo-bench/suites`) and the user's own. */
  suites: readonly Suite[]
  /** CI thresholds (fractions of each maximum): `{ minScore, suites, categories, projects }`; MILO_MIN_SCORE adds to it. */
  gate?: GatePolicy
  /** Where results go, relative to the root (default `results`, or MILO_RESULTS_DIR). */
  outputDir?: string
  /** Reporters beside the leaderboard (default: Vitest's `default` and milo-bench's progress). */
  reporters?: (string | Reporter)[]
  /** The project root (default: the working directory). */
  root?: string
  /** The environment the MILO_* settings are read from (default: process.env, after `.env`). */
  env?: Record<string, string | undefined>
}

// This module runs as TypeScript in the repository and as JavaScript once built: the files it points Vitest at follow.
const here = import.meta.url
const extension = here.endsWith('.ts') ? '.ts' : '.js'
const own = (path: string): string => fileURLToPath(new URL(`${path}${extension}`, here))

/**
 * The spec file that holds a category's rubric (the first of its rubric files), as Vitest should run it: the built
 * JavaScript beside a TypeScript source when milo-bench runs built, so an installed package needs no TypeScript loader.
 */
export function specFile(suite: Suite, path: string, root: string): string {
  const absolute = isAbsolute(path) ? path : join(suite.root ?? root, path)
  const built = absolute.replace(/\.ts$/, '.js')
  return extension === '.js' && built !== absolute && existsSync(built) ? built : absolute
}

/** Every spec file of the suites, in suite and category order; one line naming the suite when a category has none. */
function specFiles(suites: readonly Suite[], root: string): string[] {
  const files: string[] = []
  for (const suite of suites) {
    for (const category of suite.categories) {
      const path = category.rubric?.[0]
      if (path === undefined) {
        throw new Error(`milo-bench: suite ${suite.id}, category ${category.id}: no spec file (its rubric) is named; give the category \`rubric: ['path/to/${category.id}.spec.ts']\``)
      }
      files.push(specFile(suite, path, root))
    }
  }
  return [...new Set(files)]
}

/** The Vitest config for a benchmark of these models, agents and suites. */
export function defineBenchConfig(options: BenchConfigOptions): ViteUserConfig {
  const root = resolve(options.root ?? process.cwd())
  if (!options.env) {
    loadEnvFile()
  }
  const env = options.env ?? process.env
  // Every MILO_* setting, parsed once: a bad value is one line and exit 1 here, before any test runs.
  const settings = loadSettings(options.models ?? {}, env)
  const suites = [...options.suites]
  const ids = suites.map(suite => suite.id)
  const twice = ids.find((id, i) => ids.indexOf(id) !== i)
  if (twice !== undefined) {
    throw new Error(`milo-bench: two suites have the id '${twice}'; a suite id names one leaderboard`)
  }
  registerSuites(suites)
  // The task files were checked here; the workers, which import the suites again, need not check them again.
  process.env.MILO_CHECKED_TASKS = checkedTaskDigests().join(' ')
  const specs: ModelSpec[] = [...settings.models, ...agentSpecs(options.agents ?? {}, settings.models, root)]
  // Vitest answers an unknown --project with a stack trace; say which models exist instead.
  const unknown = unmatchedProjects(projectFilters(process.argv), specs.map(spec => spec.key))
  if (unknown.length > 0) {
    console.error(unknown.join('\n'))
    process.exit(1)
  }
  // What every project shares. Spelled out per project rather than inherited with `extends: true`, which would
  // evaluate the config again for each of the matrix's projects at start-up.
  const shared = {
    root,
    include: specFiles(suites, root),
    // milo-bench's own files are modules of the run, not dependencies to leave to Node (its spec files may live in
    // node_modules, and Vitest excludes that folder by default).
    exclude: ['**/.git/**'],
    // Transformed by Vite in the workers, not left to Node: milo-bench loads a user's agent module (TypeScript too) by
    // a dynamic import from inside itself.
    server: { deps: { inline: ['milo-bench'] } },
    setupFiles: [own('../runtime/setup')],
    globalSetup: [own('./global-setup')],
    // Spec files keep no state that needs a fresh module graph each: a worker imports the suites and tools once, and
    // shares one client per model between the files it runs.
    isolate: false,
    // Workers wait on the network, not the CPU: threads start faster than processes, and hand results to the main
    // process without serializing them. A project inherits nothing from the root config, so it is said here.
    pool: 'threads' as const,
  }
  // Watch mode and the UI: an edited task file reruns its category's spec file only. Shards split the matrix by model
  // and spec file, not by spec file alone (src/node/sequencer.ts).
  // What the run itself writes in the project (results, the response cache, blobs): no edit of the user's.
  const generated = [resolve(root, options.outputDir ?? settings.resultsDir ?? 'results'), resolveCache(undefined, settings.cacheDir, false, root).dir, resolve(root, '.vitest-reports')]
  const plugins = [categoryWatch(categorySources(suites, root, (suite, path) => specFile(suite, path, root)), generated), shardByModel()]
  const reporters = options.reporters ?? ['default', new ProgressReporter()]
  return defineConfig({
    test: {
      ...shared,
      // Tasks run concurrently; 4.1 reads `sequence` from the root config only.
      sequence: { concurrent: true },
      // Model calls wait on the network, not the CPU: run several spec files at once (the slot server bounds calls).
      maxWorkers: settings.workers,
      // Vite's transforms of the runtime, the suites and the spec files kept on disk for the next run (Vitest 5's default).
      experimental: { fsModuleCache: true },
      reporters: [...reporters, new LeaderboardReporter({ gate: options.gate ?? {}, settings, suites, ...(options.outputDir ? { outputDir: options.outputDir } : {}) }), new UiScoresReporter()],
      // Reporters named on the command line (`npm run bench`) and the global setup read the settings from here.
      provide: { settings },
      projects: specs.map(spec => ({
        plugins,
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
}
