// What crosses between the main process and the test workers, in one place: what the config and the global setup
// provide (ProvidedContext), what a benchmark test carries in its meta (TaskMeta), and the transcript artifact each run
// records (TestArtifactRegistry). The only module both sides import; types and constant lists only.

import type {} from 'vitest'
import type { BenchTestMeta, ModelSpec, Preflight, Transcript } from './core/types.ts'

/**
 * - `off`: every call goes to the model.
 * - `on`: answered from the cache when recorded; otherwise called and recorded (the default in watch mode and the UI).
 * - `record`: every call goes to the model and is (re-)recorded.
 * - `strict`: answered from the cache only; a call with no recording fails (re-scoring cassettes in CI).
 */
export type CacheMode = 'off' | 'on' | 'record' | 'strict'

export interface CacheSettings {
  mode: CacheMode
  /** Folder of recordings (default `.milo-cache`; a committed folder of cassettes in CI). */
  dir: string
}

/** Every cache mode, as MILO_CACHE takes them. */
export const cacheModes: readonly CacheMode[] = ['off', 'on', 'record', 'strict']

/** MILO_PROGRESS as given: every Nth test as a line (0 for none), or the form of progress (`bar`, `lines`). */
export type ProgressSetting = number | 'bar' | 'lines'

/** The run's settings, parsed once when the config loads (src/node/settings.ts) and provided to every worker. */
export interface Settings {
  /** MILO_WORKERS: spec files run at once (default: one a core, 2 to 8). */
  workers: number
  /** MILO_BUDGET_SCALE: scales every task's time budget (default 1; tests run the budgeted categories at 0.01). */
  budgetScale: number
  /** MILO_MIN_SCORE: the gate's threshold for every suite a project ran, a fraction 0..1 of its maximum. */
  minScore?: number
  /** MILO_CACHE: the response cache's mode; unset means `on` while watching and `off` in `vitest run`. */
  cacheMode?: CacheMode
  /** MILO_CACHE_DIR: the cache's folder, relative to the project root (default `.milo-cache`). */
  cacheDir?: string
  /** MILO_RESULTS_DIR: where results go, relative to the root (default `results`). */
  resultsDir?: string
  /** MILO_PROGRESS: a progress line every Nth test (0 for none) or the form (`bar`, `lines`); unset: a bar on a terminal, none otherwise. */
  progress?: ProgressSetting
  /** MILO_BASELINE: a committed leaderboard.json the run must not regress against. */
  baseline?: string
  /** MILO_MAX_REGRESSION: the most a suite score may drop against the baseline, a fraction 0..1 of its maximum. */
  maxRegression?: number
  /** The model matrix, checked, with `custom` (MILO_BASE_URL, MILO_MODEL, ...) and the base-URL overrides applied. */
  models: ModelSpec[]
}

/** The transcript of one run, recorded as a test artifact for the reporter (long fields already capped). */
export interface TranscriptArtifact {
  type: 'milo:transcript'
  /** Which run of the task it is (0-based). */
  repeat: number
  transcript: Transcript
}

declare module 'vitest' {
  interface ProvidedContext {
    /** The project's model entry (no secret: only the name of the key's variable). */
    model: ModelSpec
    /** The result of the main process's check of the endpoint; absent under --merge-reports, where no global setup runs. */
    preflight?: Preflight
    /** Where the cross-worker concurrency slots are handed out. */
    slotsURL: string
    /** The response cache's mode and folder. */
    cache: CacheSettings
    /** Every MILO_* setting, parsed once when the config loaded (src/node/settings.ts). */
    settings: Settings
  }
  interface TaskMeta extends Partial<BenchTestMeta> {}
  interface TestArtifactRegistry {
    'milo:transcript': TranscriptArtifact
  }
}
