// Repeat and uncertainty statistics, pure: tau-bench's pass^k over a task's runs, the spread of run scores, a seeded
// bootstrap interval of a suite score over its tasks, and which neighbouring leaderboard rows are not separable.
// No I/O, no clock, no Math.random: the same runs in give the same numbers out, bit for bit.

import type { ScoringRule } from './rules.ts'
import type { RepeatStats, RunSpread, ScoreInterval } from './types.ts'
import { mulberry32 } from './haystack.ts'

const round = (value: number, places = 6): number => Math.round(value * 10 ** places) / 10 ** places
const mean = (values: readonly number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length)

/** The binomial coefficient C(n, k), as a float: exact for the small n of repeated runs. 0 when k is out of 0..n. */
export function binomial(n: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || k > n) {
    return 0
  }
  let value = 1
  for (let i = 1; i <= Math.min(k, n - k); i++) {
    value = value * (n - Math.min(k, n - k) + i) / i
  }
  return value
}

/** One task's pass^k: the chance that k of its n runs, drawn without replacement, are all among its c successes. */
export function taskPassK(n: number, c: number, k: number): number {
  const all = binomial(n, k)
  return all === 0 ? 0 : binomial(c, k) / all
}

/**
 * pass^k for k = 1..maxK (index k - 1), averaged over tasks as tau-bench does; a task with fewer than k runs has no
 * pass^k and is left out of that k's mean, which is null when no task has k runs.
 */
export function passHatK(tasks: readonly { runs: number, successes: number }[], maxK: number): (number | null)[] {
  return Array.from({ length: Math.max(0, maxK) }, (_, i) => {
    const k = i + 1
    const eligible = tasks.filter(task => task.runs >= k)
    return eligible.length === 0 ? null : round(mean(eligible.map(task => taskPassK(task.runs, task.successes, k))))
  })
}

/** The spread of one task's run scores: lowest, highest and the population standard deviation. */
export function runSpread(scores: readonly number[]): RunSpread {
  if (scores.length === 0) {
    return { min: 0, max: 0, sd: 0 }
  }
  const m = mean(scores)
  return { min: Math.min(...scores), max: Math.max(...scores), sd: round(Math.sqrt(mean(scores.map(score => (score - m) ** 2)))) }
}

/** The linear-interpolation quantile of sorted values (R's type 7, numpy's default). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) {
    return Number.NaN
  }
  const h = (sorted.length - 1) * p
  const lo = Math.floor(h)
  const below = sorted[lo] as number
  const above = sorted[Math.min(sorted.length - 1, lo + 1)] as number
  return below + (h - lo) * (above - below)
}

/** The bootstrap every leaderboard uses: fixed, so an interval is reproducible from the runs alone. */
export const bootstrapDefaults = { resamples: 2000, seed: 0x6D696C6F, level: 0.95 } as const

interface BootstrapOptions {
  resamples?: number
  seed?: number
  level?: number
}

/**
 * A percentile bootstrap interval: each resample draws, within every stratum, as many items as it holds, with
 * replacement (so every category keeps its size), and applies `statistic` to the strata drawn.
 */
export function bootstrapInterval<T>(strata: readonly (readonly T[])[], statistic: (sample: T[][]) => number, options: BootstrapOptions = {}): { low: number, high: number } {
  const { resamples, seed, level } = { ...bootstrapDefaults, ...options }
  const random = mulberry32(seed)
  const values: number[] = []
  for (let b = 0; b < resamples; b++) {
    values.push(statistic(strata.map(stratum => Array.from({ length: stratum.length }, () => stratum[Math.floor(random() * stratum.length)] as T))))
  }
  values.sort((a, b) => a - b)
  return { low: round(quantile(values, (1 - level) / 2)), high: round(quantile(values, 1 - (1 - level) / 2)) }
}

/** One task as the statistics see it: its category, its run scores (null: not scored) and what a composite needs. */
interface TaskRuns<T> {
  category: string
  runs: readonly (number | null)[]
  item: T
}

/**
 * A suite score by the suite's own rule (src/core/rules.ts), from tasks grouped by category: the rule scores the task means,
 * and a composite is what `pooled` computes from the tasks' runs put together (coding-agent).
 */
export function suiteScore<T>(rule: ScoringRule, strata: readonly (readonly TaskRuns<T>[])[], pooled: (items: T[]) => number): number {
  return scoreOfMeans(rule, strata.map(stratum => stratum.map(task => ({ mean: mean(task.runs.filter((score): score is number => score !== null)), item: task.item }))), pooled)
}

/** A task as a bootstrap resamples it: its mean computed once, not in each of thousands of resamples. */
interface TaskMean<T> {
  mean: number
  item: T
}

function scoreOfMeans<T>(rule: ScoringRule, strata: readonly (readonly TaskMean<T>[])[], pooled: (items: T[]) => number): number {
  return rule.score({ categories: strata.map(stratum => stratum.map(task => task.mean)), composite: () => pooled(strata.flatMap(stratum => stratum.map(task => task.item))) })
}

/**
 * A model's repeat statistics and score interval over its tasks with at least one scored run. `pooled` recomputes a
 * coding-agent composite from a resample's tasks (the caller's own metric, so this module never re-implements it).
 */
export function modelStats<T>(
  rule: ScoringRule,
  maxScore: number,
  runsPerTask: number,
  tasks: readonly TaskRuns<T>[],
  pooled: (items: T[]) => number,
  options: BootstrapOptions = {},
): { repeats: RepeatStats, interval?: ScoreInterval } {
  const scored = tasks.map(task => ({ ...task, scores: task.runs.filter((score): score is number => score !== null) })).filter(task => task.scores.length > 0)
  const spreads = scored.map(task => runSpread(task.scores))
  const repeats: RepeatStats = {
    passK: passHatK(scored.map(task => ({ runs: task.scores.length, successes: task.scores.filter(score => score >= maxScore - 1e-9).length })), runsPerTask),
    tasks: scored.length,
    varying: spreads.filter(spread => spread.max > spread.min).length,
    meanRange: round(mean(spreads.map(spread => spread.max - spread.min))),
    meanSd: round(mean(spreads.map(spread => spread.sd))),
  }
  if (scored.length === 0) {
    return { repeats }
  }
  const byCategory = new Map<string, TaskMean<T>[]>()
  for (const task of scored) {
    byCategory.set(task.category, [...(byCategory.get(task.category) ?? []), { mean: mean(task.scores), item: task.item }])
  }
  const settings = { ...bootstrapDefaults, ...options }
  const { low, high } = bootstrapInterval([...byCategory.values()], sample => scoreOfMeans(rule, sample, pooled), settings)
  return { repeats, interval: { low, high, level: settings.level, resamples: settings.resamples, seed: settings.seed } }
}

/** Whether two intervals share a point. */
export const overlaps = (a: { low: number, high: number }, b: { low: number, high: number }): boolean => a.low <= b.high && b.low <= a.high

/**
 * For each row of a leaderboard, in its order: true when the row is ranked and its interval overlaps that of the ranked
 * row just above it, so the data cannot tell the two apart. Rows without an interval are never marked.
 */
export function notSeparable(rows: readonly { rank: number | null, interval?: { low: number, high: number } }[]): boolean[] {
  let above: { low: number, high: number } | undefined
  return rows.map((row) => {
    if (row.rank === null) {
      return false
    }
    const mark = row.interval !== undefined && above !== undefined && overlaps(row.interval, above)
    above = row.interval
    return mark
  })
}
