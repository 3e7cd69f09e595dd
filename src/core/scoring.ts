// Scores, pure: a run's checks -> the run's score; runs -> a task; tasks -> categories -> the model's suite score;
// model scores -> ranks. No I/O and no clock: the same runs in give the same scores out.

import type { AgentMetrics, EndReason, ModelResult, RecordedModel, RunMeta, Suite, TaskResult, Usage } from './types.ts'
import { runCost } from './pricing.ts'
import { endpointOf } from './rows.ts'
import { compositeWeights, ruleOf } from './rules.ts'
import { modelStats, runSpread } from './stats.ts'

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

/** Tool calls and tool errors over the runs that count (an infrastructure error is not the model's). */
function toolCallSums(runs: RunMeta[]): { calls: number, errors: number } {
  const scored = runs.filter(run => !run.error?.infrastructure)
  return { calls: scored.reduce((n, run) => n + run.toolCalls, 0), errors: scored.reduce((n, run) => n + (run.toolErrors ?? 0), 0) }
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
  let textToolCalls = 0
  let scoredRuns = 0
  let cost = 0
  const merged = mergeRuns(outcomes)
  for (const outcome of merged) {
    const runScores = outcome.runs.map(run => scoreRun(run, outcome.maxScore, outcome.points))
    const scored = runScores.filter((score): score is number => score !== null)
    tasks[outcome.taskId] = {
      category: outcome.category,
      score: scored.length === 0 ? null : round(mean(scored)),
      runs: runScores,
      endReasons: outcome.runs.map(run => run.endReason),
      ...(scored.length > 0 ? { spread: runSpread(scored) } : {}),
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
      textToolCalls += run.textToolCalls
      usage.inputTokens += run.usage.inputTokens
      usage.outputTokens += run.usage.outputTokens
      cost += runCost(model.price, run)
    }
  }
  const { calls: toolCalls, errors: toolErrors } = toolCallSums(merged.flatMap(outcome => outcome.runs))
  const categories: Record<string, number> = {}
  const perCategory: number[][] = []
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
    }
    perCategory.push(scores)
  }
  const sum = round(perCategory.flat().reduce((a, b) => a + b, 0))
  const taskCount = suite.categories.reduce((n, category) => n + category.tasks.length, 0)
  const rule = ruleOf(suite)
  const agent = rule.agentMetrics ? agentMetrics(merged) : undefined
  const score = round(rule.score({ categories: perCategory, composite: () => agent?.composite ?? 0 }))
  const max = rule.max(taskCount, suite.maxScore)
  // pass^k, spreads and the score's bootstrap interval, over the suite's tasks; the composite is recomputed by agentMetrics
  const byTask = new Map(merged.map(outcome => [outcome.taskId, outcome]))
  const statsTasks = suite.categories.flatMap(category => category.tasks.flatMap((task) => {
    const outcome = byTask.get(task.id)
    return outcome ? [{ category: category.id, runs: tasks[task.id]?.runs ?? [], item: outcome }] : []
  }))
  const { repeats, interval } = modelStats(rule, suite.maxScore, suite.runs, statsTasks, sample => agentMetrics(sample).composite)
  return {
    project: first.project,
    name: model.name,
    model: model.model,
    endpoint: endpointOf(model.baseURL),
    where: model.where,
    context: model.context.label,
    rank: null,
    score,
    max,
    percent: max === 0 ? 0 : round(100 * score / max, 4),
    ...(rule.id === 'sum' ? {} : { sum, sumMax: taskCount * suite.maxScore }),
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
    cost: round(cost, 6),
    endReasons,
    ...(agent ? { agent } : {}),
    repeats,
    ...(interval ? { interval } : {}),
    runId: outcomes.map(o => o.runId).sort().at(-1) ?? first.runId,
    finishedAt: outcomes.map(o => o.finishedAt).sort().at(-1) ?? first.finishedAt,
  }
}

/** The coding-agent composite: 0.5 x tool_call_success + 0.3 x task_completion + 0.2 x (1 - rework_rate). */
export function compositeScore(toolCallSuccess: number, taskCompletion: number, reworkRate: number): number {
  return compositeWeights.toolCallSuccess * toolCallSuccess + compositeWeights.taskCompletion * taskCompletion + compositeWeights.noRework * (1 - reworkRate)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length === 0 ? 0 : sorted.length % 2 === 1 ? sorted[middle] ?? 0 : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

/**
 * The coding-agent metrics of one model, pooled over its scored runs (infrastructure errors are not the model's and
 * are left out): tool_call_success (the mean form grade of all tool calls, checks.ts callFormGrade) and the share of
 * calls that ran without a tool error, over all tool calls; task_completion and rework_rate over runs, from the flags
 * the rubric's toPassHiddenTests and toAvoidRework set on each run.
 */
export function agentMetrics(outcomes: TestOutcome[]): AgentMetrics {
  const { calls, errors } = toolCallSums(outcomes.flatMap(outcome => outcome.runs))
  let wellFormed = 0
  let completed = 0
  let rework = 0
  let timeouts = 0
  let passCount = 0
  let taskCount = 0
  const latencies: number[] = []
  for (const outcome of outcomes) {
    const scored = outcome.runs.filter(run => !run.error?.infrastructure)
    if (scored.length === 0) {
      continue
    }
    taskCount++
    if (scored.every(run => run.completed === true)) {
      passCount++
    }
    for (const run of scored) {
      wellFormed += run.wellFormed ?? run.toolCalls - (run.toolErrors ?? 0)
      completed += run.completed === true ? 1 : 0
      rework += run.rework === true ? 1 : 0
      timeouts += run.endReason === 'budget' ? 1 : 0
      latencies.push(run.latencyMs)
    }
  }
  const runs = latencies.length
  const toolCallSuccess = calls === 0 ? 0 : wellFormed / calls
  const toolOutcomeSuccess = calls === 0 ? 0 : (calls - errors) / calls
  const taskCompletion = runs === 0 ? 0 : completed / runs
  const reworkRate = runs === 0 ? 0 : rework / runs
  return {
    toolCallSuccess: round(toolCallSuccess),
    toolOutcomeSuccess: round(toolOutcomeSuccess),
    taskCompletion: round(taskCompletion),
    reworkRate: round(reworkRate),
    composite: round(compositeScore(toolCallSuccess, taskCompletion, reworkRate)),
    passCount,
    taskCount,
    timeouts,
    taskLatencyMs: { median: round(median(latencies), 3), max: round(Math.max(0, ...latencies), 3) },
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
