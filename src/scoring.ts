// Scores, pure: a run's checks -> the run's score; runs -> a task; tasks -> categories -> the model's suite score;
// model scores -> ranks. No I/O and no clock: the same runs in give the same scores out.

import type { EndReason, ModelResult, RecordedModel, RunMeta, Suite, TaskResult, Usage } from './types.ts'

const round = (value: number, places = 6): number => Math.round(value * 10 ** places) / 10 ** places
const mean = (values: number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length)

/**
 * A run's score: maxScore x (points earned) / (points the rubric declares). Checks the spec never reached earn nothing,
 * so a run that stopped early cannot score more than it showed. Null for an infrastructure error: not the model's.
 */
export function scoreRun(run: RunMeta, maxScore: number, points: number): number | null {
  if (run.error?.infrastructure) {
    return null
  }
  if (points <= 0) {
    return 0
  }
  const earned = run.checks.reduce((sum, check) => sum + check.score * check.points, 0)
  return round(maxScore * Math.min(earned, points) / points)
}

/** Everything the reporter knows about one test (one task under one model). */
export interface TestOutcome {
  project: string
  model: RecordedModel
  suite: string
  hash: string
  category: string
  taskId: string
  maxScore: number
  points: number
  runs: RunMeta[]
  /** Why the task was not run (context too small, endpoint unavailable). */
  skipped?: string
  runId: string
  finishedAt: string
}

/** One outcome per task: the runs of a task (each its own test) put together, in run order. */
function mergeRuns(outcomes: TestOutcome[]): TestOutcome[] {
  const byTask = new Map<string, TestOutcome>()
  for (const outcome of outcomes) {
    const seen = byTask.get(outcome.taskId)
    byTask.set(outcome.taskId, seen ? { ...seen, runs: [...seen.runs, ...outcome.runs], skipped: seen.skipped ?? outcome.skipped } : outcome)
  }
  return [...byTask.values()].map(outcome => ({ ...outcome, runs: [...outcome.runs].sort((a, b) => a.repeat - b.repeat) }))
}

/** One model's result on one suite, from its test outcomes. `currentHash` is the suite's content hash now. */
export function summarize(suite: Suite, currentHash: string, outcomes: TestOutcome[]): ModelResult {
  const first = outcomes[0]
  if (!first) {
    throw new Error('summarize needs at least one test outcome')
  }
  const model = first.model
  const tasks: Record<string, TaskResult> = {}
  const usage: Usage = { inputTokens: 0, outputTokens: 0 }
  const endReasons: Partial<Record<EndReason, number>> = {}
  let latency = 0
  let modelCalls = 0
  let infraErrors = 0
  let retries = 0
  let toolCalls = 0
  let toolErrors = 0
  let textToolCalls = 0
  let scoredRuns = 0
  for (const outcome of mergeRuns(outcomes)) {
    const runScores = outcome.runs.map(run => scoreRun(run, outcome.maxScore, outcome.points))
    const scored = runScores.filter((score): score is number => score !== null)
    tasks[outcome.taskId] = {
      category: outcome.category,
      score: scored.length === 0 ? null : round(mean(scored)),
      runs: runScores,
      ...(outcome.skipped ? { skipped: outcome.skipped } : {}),
    }
    for (const run of outcome.runs) {
      endReasons[run.endReason] = (endReasons[run.endReason] ?? 0) + 1
      retries += run.retries
      if (run.error?.infrastructure) {
        infraErrors++
        continue
      }
      scoredRuns++
      latency += run.latencyMs
      modelCalls += run.calls
      toolCalls += run.toolCalls
      toolErrors += run.toolErrors ?? 0
      textToolCalls += run.textToolCalls
      usage.inputTokens += run.usage.inputTokens
      usage.outputTokens += run.usage.outputTokens
    }
  }
  const categories: Record<string, number> = {}
  const taskScores: number[] = []
  let expected = 0
  let done = 0
  for (const category of suite.categories) {
    const scores: number[] = []
    for (const task of category.tasks) {
      const result = tasks[task.id]
      if (result?.skipped && result.runs.length === 0) {
        continue
      }
      expected++
      if (result && result.score !== null) {
        scores.push(result.score)
        if (result.runs.length >= suite.runs && result.runs.every(score => score !== null)) {
          done++
        }
      }
    }
    if (scores.length > 0) {
      categories[category.id] = round(mean(scores))
      taskScores.push(...scores)
    }
  }
  const sum = round(taskScores.reduce((a, b) => a + b, 0))
  const taskCount = suite.categories.reduce((n, category) => n + category.tasks.length, 0)
  const isSum = suite.aggregate === 'sum'
  const score = isSum ? sum : round(mean(Object.values(categories)))
  const max = isSum ? taskCount * suite.maxScore : suite.maxScore
  const price = model.price ?? { input: 0, output: 0 }
  return {
    project: first.project,
    name: model.name,
    model: model.model,
    where: model.where,
    context: model.context.label,
    rank: null,
    score,
    max,
    percent: max === 0 ? 0 : round(100 * score / max, 4),
    ...(isSum ? {} : { sum, sumMax: taskCount * suite.maxScore }),
    avgLatencyMs: modelCalls === 0 ? 0 : round(latency / modelCalls, 3),
    categories,
    tasks,
    complete: expected > 0 && done === expected && infraErrors === 0,
    comparable: first.hash === currentHash,
    hash: first.hash,
    runs: scoredRuns + infraErrors,
    infraErrors,
    retries,
    modelCalls,
    toolCalls,
    toolErrors,
    textToolCalls,
    tokens: usage,
    cost: round((usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000, 6),
    endReasons,
    runId: outcomes.map(o => o.runId).sort().at(-1) ?? first.runId,
    finishedAt: outcomes.map(o => o.finishedAt).sort().at(-1) ?? first.finishedAt,
  }
}

/**
 * Ranks comparable, complete results by score, highest first; equal scores share a rank and the next rank skips
 * (1, 1, 3, 3, 3, 6). Others keep rank null and sort after, by score. Returns new objects, sorted.
 */
export function rank(results: ModelResult[]): ModelResult[] {
  const key = (result: ModelResult): number => round(result.score, 6)
  const ranked = results.filter(result => result.comparable && result.complete)
  const rest = results.filter(result => !(result.comparable && result.complete))
  const byScore = (a: ModelResult, b: ModelResult): number => key(b) - key(a) || a.avgLatencyMs - b.avgLatencyMs || a.project.localeCompare(b.project)
  return [
    ...[...ranked].sort(byScore).map(result => ({ ...result, rank: 1 + ranked.filter(other => key(other) > key(result)).length })),
    ...[...rest].sort(byScore).map(result => ({ ...result, rank: null })),
  ]
}
