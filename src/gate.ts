// The CI gate, pure: thresholds and this run's results in, pass or fail out, with one line per failure. Fail-closed:
// when any threshold is set, an empty run, a project with no score, or an incomplete run fails.

import type { ModelResult, SuiteBoard } from './types.ts'

/** Thresholds as fractions (0..1) of the maximum: a suite's score, or a category's mean over its per-task maximum. */
export interface GatePolicy {
  /** Every suite of every project in the run (MILO_MIN_SCORE). */
  minScore?: number
  /** Per suite id, e.g. `{ classic: 0.9 }`. */
  suites?: Record<string, number>
  /** Per `suite/category`, e.g. `{ 'classic/multi-step': 0.8 }`. */
  categories?: Record<string, number>
  /** Per project, overriding the above for that model: `{ candidate: { suites: { v1: 0.75 } } }`. */
  projects?: Record<string, Omit<GatePolicy, 'projects'>>
}

export interface GateVerdict {
  ok: boolean
  /** One line per failure: project, suite or category, score and threshold. */
  failures: string[]
  /** True when the policy sets any threshold. */
  active: boolean
}

const percent = (value: number): string => `${(100 * value).toFixed(1)}%`

function isActive(policy: Omit<GatePolicy, 'projects'>): boolean {
  return policy.minScore !== undefined || Object.keys(policy.suites ?? {}).length > 0 || Object.keys(policy.categories ?? {}).length > 0
}

/**
 * Checks this run's projects. `boards` are the suites' boards after merging; `ran` lists, per project of this run, the
 * suites it ran (a project that ran nothing still appears, with no suites, and fails an active gate).
 */
export function evaluateGate(policy: GatePolicy, boards: Record<string, SuiteBoard>, ran: ReadonlyMap<string, string[]>, skipped: ReadonlyMap<string, string> = new Map()): GateVerdict {
  const failures: string[] = []
  let active = false
  if (ran.size === 0 && isActive(policy)) {
    return { ok: false, failures: ['no project ran: nothing to gate'], active: true }
  }
  for (const [project, suiteIds] of ran) {
    const own = { ...policy, ...policy.projects?.[project] }
    if (!isActive(own)) {
      continue
    }
    active = true
    if (suiteIds.length === 0) {
      failures.push(`${project}: no score: ${skipped.get(project) ?? 'no benchmark test ran'}`)
      continue
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
        const perTask = board.maxPerTask
        const value = result.categories[category]
        if (value === undefined) {
          failures.push(`${project} ${key}: no score for this category`)
        }
        else if (value / perTask < min) {
          failures.push(`${project} ${key}: score ${percent(value / perTask)} is below the threshold ${percent(min)}`)
        }
      }
    }
  }
  return { ok: failures.length === 0, failures, active }
}
