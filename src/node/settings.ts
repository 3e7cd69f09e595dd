// The run's settings, read once when the config loads: every MILO_* variable parsed and checked into one typed object,
// which the config hands to the reporters, the global setup and the workers (through `provide`), so nothing later
// reads the environment again. A bad value is one line naming the variable and what it takes, before any test runs; a
// MILO_* name one typo away from a setting says which. The environment is passed in; the only other thing read is the
// CPU count (and a container's CPU quota) for the default worker count.

import type { CacheMode, CacheSettings, ProgressSetting, Settings } from '../protocol.ts'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import type { ModelEntry } from '../core/types.ts'
import { cacheModes } from '../protocol.ts'
import { didYouMean, ModelMatrixError, numberSetting, positiveNumber, resolveModels } from './matrix.ts'

type Env = Record<string, string | undefined>

/** Every problem with the settings, one line each. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'))
    this.name = 'SettingsError'
  }
}

/** The MILO_* variables the harness reads, beside the ones model entries name (base-URL overrides, keys). */
const settingNames = [
  'MILO_WORKERS', 'MILO_BUDGET_SCALE', 'MILO_MIN_SCORE', 'MILO_CACHE', 'MILO_CACHE_DIR', 'MILO_RESULTS_DIR', 'MILO_PROGRESS',
  'MILO_BASELINE', 'MILO_MAX_REGRESSION', 'MILO_ENV_FILE',
  'MILO_BASE_URL', 'MILO_MODEL', 'MILO_API_KEY', 'MILO_NAME', 'MILO_SERVER', 'MILO_CONTEXT', 'MILO_CONCURRENCY', 'MILO_STREAM', 'MILO_TIMEOUT_MS',
  // `npm run serve`, which runs without this config, reads these two itself.
  'MILO_SERVE_PORT', 'MILO_SERVE_LATENCY',
  // Set by the config for its workers (src/core/suite.ts), and so present when a restarted watch mode reads it again.
  'MILO_CHECKED_TASKS',
] as const

const given = (env: Env, name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name])

/** A fraction 0..1 from the environment, or undefined when unset. */
export function fraction(env: Env, name: string, example: string): number | undefined {
  return numberSetting(env, name, value => value >= 0 && value <= 1, `a fraction between 0 and 1 (${example})`)
}

/** MILO_MAX_REGRESSION, read here for the run and by `npm run compare` (reporters/compare.ts) on its own. */
export const maxRegressionSetting = (env: Env): number | undefined => fraction(env, 'MILO_MAX_REGRESSION', 'for 2 points of 100, write 0.02')


/** MILO_PROGRESS: `on`/`true` (every test), `off`/`false` or 0 (never), every Nth test, or `bar` / `lines`. */
export function progressSetting(env: Env): ProgressSetting | undefined {
  const raw = given(env, 'MILO_PROGRESS')
  if (raw === undefined) {
    return undefined
  }
  if (raw === 'bar' || raw === 'lines') {
    return raw
  }
  if (raw === 'on' || raw === 'true') {
    return 1
  }
  if (raw === 'off' || raw === 'false') {
    return 0
  }
  return numberSetting(env, 'MILO_PROGRESS', value => Number.isInteger(value) && value >= 0, 'on, off, bar, lines or a whole number (a line every Nth test; 0 for none)')
}

/** MILO_CACHE: one of the cache modes, or undefined when unset. */
export function cacheModeSetting(env: Env): CacheMode | undefined {
  const raw = given(env, 'MILO_CACHE')
  if (raw !== undefined && !(cacheModes as readonly string[]).includes(raw)) {
    throw new Error(`MILO_CACHE=${raw} is not a cache mode; use one of ${cacheModes.join(', ')}`)
  }
  return raw as CacheMode | undefined
}

/**
 * The CPUs this process may use: the cores it can run on, capped by the cgroup's CPU quota when it has one (a
 * container started with `--cpus 2` on a 64-core host), which Node 20's availableParallelism does not read. `read`
 * reads a file (injected by tests).
 */
export function usableCpus(cores = availableParallelism(), read = (path: string): string => readFileSync(path, 'utf8')): number {
  const quotaOf = (quota: number, period: number): number | undefined => (quota > 0 && period > 0 ? Math.max(1, Math.min(cores, Math.ceil(quota / period))) : undefined)
  const attempts = [
    // cgroup v2: "<quota> <period>", or "max <period>" for no quota
    () => {
      const [quota = '', period = ''] = read('/sys/fs/cgroup/cpu.max').trim().split(/\s+/)
      return quota === 'max' ? undefined : quotaOf(Number(quota), Number(period))
    },
    // cgroup v1: a quota of -1 is none
    () => quotaOf(Number(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us').trim()), Number(read('/sys/fs/cgroup/cpu/cpu.cfs_period_us').trim())),
  ]
  for (const attempt of attempts) {
    try {
      const capped = attempt()
      if (capped !== undefined) {
        return capped
      }
    }
    catch {
      // no such file: no quota of that kind
    }
  }
  return cores
}

/**
 * Spec files run at once by default: one a usable CPU, 2 to 8. Each worker loads the runtime and the suites; a
 * worker's tests already wait on the model side by side, so workers beyond the cores only add start-up (on 2 cores,
 * 8 workers took `npm run bench` from 29 s to 59 s).
 */
export const defaultWorkers = (): number => Math.min(8, Math.max(2, usableCpus()))

/**
 * Reads every setting; throws a SettingsError listing every problem (one line each) when any value is bad. `entries`
 * is the model matrix (fixtures/models.ts), checked here too.
 */
export function readSettings(entries: Record<string, ModelEntry>, env: Env): Settings {
  const problems: string[] = []
  const read = <T>(parse: () => T): T | undefined => {
    try {
      return parse()
    }
    catch (error) {
      if (error instanceof ModelMatrixError) {
        problems.push(...error.problems.map(problem => (problem.startsWith('MILO_') ? problem : `fixtures/models.ts: ${problem}`)))
      }
      else {
        problems.push((error as Error).message)
      }
      return undefined
    }
  }
  const models = read(() => resolveModels(entries, env)) ?? []
  const workers = defaultWorkers()
  const settings: Settings = {
    workers: read(() => positiveNumber(env, 'MILO_WORKERS', workers)) ?? workers,
    budgetScale: read(() => positiveNumber(env, 'MILO_BUDGET_SCALE', 1, false)) ?? 1,
    models,
  }
  const minScore = read(() => fraction(env, 'MILO_MIN_SCORE', 'for 90%, write 0.9'))
  const maxRegression = read(() => maxRegressionSetting(env))
  const cacheMode = read(() => cacheModeSetting(env))
  const progress = read(() => progressSetting(env))
  const known = new Set<string>([...settingNames, ...Object.values(entries).flatMap(entry => [entry.baseURLEnv, entry.apiKeyEnv]).filter((name): name is string => typeof name === 'string')])
  for (const name of Object.keys(env).filter(name => name.startsWith('MILO_') && !known.has(name))) {
    const guess = didYouMean(name, [...known])
    if (guess !== undefined) {
      problems.push(`${name} is not a milo-bench setting; did you mean ${guess}?`)
    }
  }
  if (problems.length > 0) {
    throw new SettingsError(problems)
  }
  const cacheDir = given(env, 'MILO_CACHE_DIR')
  const resultsDir = given(env, 'MILO_RESULTS_DIR')
  const baseline = given(env, 'MILO_BASELINE')
  return {
    ...settings,
    ...(minScore === undefined ? {} : { minScore }),
    ...(maxRegression === undefined ? {} : { maxRegression }),
    ...(cacheMode === undefined ? {} : { cacheMode }),
    ...(cacheDir === undefined ? {} : { cacheDir }),
    ...(resultsDir === undefined ? {} : { resultsDir }),
    ...(progress === undefined ? {} : { progress }),
    ...(baseline === undefined ? {} : { baseline }),
  }
}

/** The settings, or the process ends here: one line per problem and exit code 1, before Vitest starts any test. */
export function loadSettings(entries: Record<string, ModelEntry>, env: Env): Settings {
  try {
    return readSettings(entries, env)
  }
  catch (error) {
    const problems = error instanceof SettingsError ? error.problems : [(error as Error).message]
    for (const problem of problems) {
      console.error(`milo-bench: ${problem}`)
    }
    process.exit(1)
  }
}

/** The cache's settings from a mode and a folder as given (both optional): on while watching, off in `vitest run`. */
export function resolveCache(mode: CacheMode | undefined, dir: string | undefined, watching: boolean, root: string): CacheSettings {
  return { mode: mode ?? (watching ? 'on' : 'off'), dir: resolve(root, dir || '.milo-cache') }
}
