// The CI gate, pure: thresholds and this run's results in, pass or fail out, with one line per failure. Fail-closed:
// when any threshold applies, an empty run, a project with no score, an incomplete run, or a suite or category that has
// a threshold but no score fails.

import type { ModelResult, SuiteBoard } from './types.ts'

/** Thresholds as fractions (0..1) of the maximum: a suite's score, or a category's mean over its per-task maximum. */
export interface GatePolicy {
  /** Every suite each project ran (MILO_MIN_SCORE). */
  minScore?: number
  /** Per suite id, e.g. `{ classic: 0.9 }`; the suite must have run. */
  suites?: Record<string, number>
  /** Per `suite/category`, e.g. `{ 'classic/multi-step': 0.8 }`; the category must have run. */
  categories?: Record<string, number>
  /** Per project: thresholds that replace all of the above for that model, e.g. `{ candidate: { suites: { v1: 0.75 } } }`. */
  projects?: Record<string, Omit<GatePolicy, 'projects'>>
}

export interface GateVerdict {
  ok: boolean
  /** One line per failure: project, suite or category, score and threshold. */
  failures: string[]
  /** True when some threshold applied to this run. */
  active: boolean
}

type Thresholds = Omit<GatePolicy, 'projects'>

const percent = (value: number): string => `${(100 * value).toFixed(1)}%`

function sets(policy: Thresholds): boolean {
  return policy.minScore !== undefined || Object.keys(policy.suites ?? {}).length > 0 || Object.keys(policy.categories ?? {}).length > 0
}

/** The thresholds a project answers to: its own when the policy names it, the global ones otherwise. */
function thresholdsFor(policy: GatePolicy, project: string): Thresholds {
  return policy.projects?.[project] ?? policy
}

/**
 * Checks this run's projects against `boards`: per suite, the results THIS run scored (never an earlier run kept on the
 * leaderboard), with the suite's maximum. `ran` lists, per project of this run, the suites it scored (a project that
 * scored nothing still appears, with no suites, and fails an active gate).
 */
export function evaluateGate(policy: GatePolicy, boards: Record<string, SuiteBoard>, ran: ReadonlyMap<string, string[]>, skipped: ReadonlyMap<string, string> = new Map()): GateVerdict {
  const failures: string[] = []
  const anyThreshold = sets(policy) || Object.values(policy.projects ?? {}).some(sets)
  if (ran.size === 0) {
    return anyThreshold ? { ok: false, failures: ['no project ran: nothing to gate'], active: true } : { ok: true, failures: [], active: false }
  }
  let active = false
  for (const [project, suiteIds] of ran) {
    const own = thresholdsFor(policy, project)
    if (!sets(own)) {
      continue
    }
    active = true
    if (suiteIds.length === 0) {
      failures.push(`${project}: no score: ${skipped.get(project) ?? 'no benchmark test ran'}`)
      continue
    }
    for (const suiteId of Object.keys(own.suites ?? {}).filter(id => !suiteIds.includes(id))) {
      failures.push(`${project} ${suiteId}: has a threshold but did not run`)
    }
    for (const key of Object.keys(own.categories ?? {}).filter(key => !suiteIds.includes(key.split('/')[0] ?? ''))) {
      failures.push(`${project} ${key}: has a threshold but its suite did not run`)
    }
    for (const suiteId of suiteIds) {
      const board = boards[suiteId]
      const result: ModelResult | undefined = board?.models.find(model => model.project === project)
      if (!board || !result) {
        failures.push(`${project} ${suiteId}: no score recorded`)
        continue
      }
      if (!result.complete) {
        const done = Object.values(result.tasks).filter(task => task.score !== null).length
        failures.push(`${project} ${suiteId}: incomplete run (${done} of ${board.taskCount} tasks scored${result.infraErrors > 0 ? `, ${result.infraErrors} infrastructure errors` : ''}): not gated as passing`)
        continue
      }
      const fraction = board.max === 0 ? 0 : result.score / board.max
      const threshold = own.suites?.[suiteId] ?? own.minScore
      if (threshold !== undefined && fraction < threshold) {
        failures.push(`${project} ${suiteId}: score ${percent(fraction)} is below the threshold ${percent(threshold)}`)
      }
      for (const [key, min] of Object.entries(own.categories ?? {})) {
        const [suite, category] = key.split('/')
        if (suite !== suiteId || category === undefined) {
          continue
        }
        const value = result.categories[category]
        if (value === undefined) {
          failures.push(`${project} ${key}: has a threshold but no score`)
        }
        else if (value / board.maxPerTask < min) {
          failures.push(`${project} ${key}: score ${percent(value / board.maxPerTask)} is below the threshold ${percent(min)}`)
        }
      }
    }
  }
  return { ok: failures.length === 0, failures, active }
}
