// The seed's tables, rendered from a suite board as Markdown (which also reads well in a terminal): the leaderboard,
// the per-category table, for 0-1 suites the one-model and two-model category tables with notes, and for the
// coding-agent suite its metric table (metric rows, model columns).

import type { AgentMetrics, ModelResult, ScoreInterval, SuiteBoard } from '../src/core/types.ts'
import { columnLabel } from '../src/core/rows.ts'
import { ruleOf } from '../src/core/rules.ts'
import { notSeparable } from '../src/core/stats.ts'

/** A Markdown table with columns padded to equal width. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map(row => (row[i] ?? '').length)))
  const line = (cells: string[]): string => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`
  return [line(header), `|${widths.map(width => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}

export function formatLatency(ms: number): string {
  if (ms >= 1000) {
    return `${(ms / 1000).toFixed(1)}s`
  }
  return ms >= 10 ? `${Math.round(ms)}ms` : `${ms.toFixed(1)}ms`
}

/** The leaderboard's Where column. */
export const whereLabels: Record<ModelResult['where'], string> = { local: 'Local', cloud: 'Cloud API', embedded: 'Embedded' }

/** What stands in a result's rank's place when it has none: `n/c` (another version of the suite) or `inc.` (incomplete). */
export const unrankedLabel = (result: Pick<ModelResult, 'comparable'>): string => (result.comparable ? 'inc.' : 'n/c')

export function formatScore(board: SuiteBoard, result: ModelResult): string {
  return ruleOf(board).format(result.score, board.max)
}

/** A score interval in the score's own precision, without the maximum: "55.0–60.0", "0.81–0.94", "0.701–0.760". */
export function formatInterval(board: SuiteBoard, interval: ScoreInterval): string {
  const { places } = ruleOf(board)
  return `${interval.low.toFixed(places)}–${interval.high.toFixed(places)}`
}

/** The mark beside an interval that overlaps the one of the model ranked just above it. */
export const notSeparableMark = '≈'

function rankCell(result: ModelResult): string {
  if (result.rank === null) {
    return unrankedLabel(result)
  }
  return result.rank === 1 ? '🥇' : String(result.rank)
}

/** Column name for a model in per-category tables: short and unique (src/core/rows.ts columnLabel). */
const column = (result: ModelResult): string => columnLabel(result)

/**
 * Rank | Model | Score | 95% CI | % | Avg Latency | Context | Where, as in the seed plus the score's interval, and what
 * a reader needs to trust it.
 */
export function leaderboardTable(board: SuiteBoard): string {
  const sumColumn = ruleOf(board).showsSum
  const header = ['Rank', 'Model', 'Score', '95% CI', ...(sumColumn ? ['Sum'] : []), '%', 'Avg Latency', 'Context', 'Where']
  const marks = notSeparable(board.models)
  const rows = board.models.map((result, i) => [
    rankCell(result),
    result.name,
    formatScore(board, result),
    result.interval ? `${formatInterval(board, result.interval)}${marks[i] ? ` ${notSeparableMark}` : ''}` : '–',
    ...(sumColumn ? [`${(result.sum ?? 0).toFixed(2)}/${result.sumMax ?? board.taskCount}`] : []),
    `${result.percent.toFixed(1)}%`,
    formatLatency(result.avgLatencyMs),
    result.context,
    whereLabels[result.where],
  ])
  return table(header, rows)
}

/** Categories as rows, models as columns, 2 decimals. */
function categoryTable(board: SuiteBoard, models: ModelResult[] = board.models): string {
  const header = ['Category', ...models.map(column)]
  const rows = board.categories.map(category => [category.title, ...models.map((result) => {
    const value = result.categories[category.id]
    return value === undefined ? '–' : value.toFixed(2)
  })])
  return table(header, rows)
}

/** What a reader must know to trust the numbers: incomplete runs, infrastructure errors, calls written as text. */
export function footnotes(board: SuiteBoard): string[] {
  const notes: string[] = []
  for (const result of board.models) {
    if (!result.comparable) {
      notes.push(`n/c ${result.project}: scored against another version of ${board.id} (hash ${result.hash}, now ${board.hash}): not comparable, not ranked`)
    }
    else if (!result.complete) {
      const done = Object.values(result.tasks).filter(task => task.score !== null).length
      notes.push(`inc. ${result.project}: incomplete (${done} of ${board.taskCount} tasks scored): not ranked`)
    }
    if (result.infraErrors > 0) {
      notes.push(`${result.project}: ${result.infraErrors} run(s) ended by infrastructure errors (server, network, key, rate limit, unreadable reply, or a sandbox that cannot contain model-written code on this machine; error.kind in results/runs): not scored, not counted as model failures`)
    }
    if (result.textToolCalls > 0) {
      notes.push(`${result.project}: ${result.textToolCalls} tool call(s) recovered from text in the content instead of tool_calls: format failures (executed only when the entry sets lenientTextToolCalls)`)
    }
    if (result.retries > 0) {
      notes.push(`${result.project}: ${result.retries} request(s) retried after transient server errors`)
    }
    const skipped = Object.entries(result.tasks).filter(([, task]) => task.skipped)
    if (skipped.length > 0) {
      notes.push(`${result.project}: ${skipped.length} task(s) skipped: ${skipped[0]?.[1].skipped ?? ''}`)
    }
  }
  return notes
}

/** What the 95% CI column and its mark mean, for the line under the leaderboard; undefined when no row has an interval. */
export function intervalNote(board: SuiteBoard): string | undefined {
  const interval = board.models.find(result => result.interval)?.interval
  if (!interval) {
    return undefined
  }
  const marked = notSeparable(board.models).some(Boolean)
  return `95% CI: the score's ${Math.round(interval.level * 100)}% interval from a bootstrap over prompts (${interval.resamples} resamples within categories, seed ${interval.seed}, the score recomputed by the suite's rule each time)`
    + (marked ? `; ${notSeparableMark} marks a model whose interval overlaps the one of the model ranked just above it: the two are not separable on this suite` : '; no neighbouring ranked models overlap')
}

/**
 * pass^k and the spread of run scores, one line per model: how repeatable its scores are across the suite's runs.
 * "pass^2 0.80" is the chance that two runs of a prompt both score full marks (tau-bench's pass^k).
 */
export function repeatNotes(board: SuiteBoard): string[] {
  const lines = board.models.flatMap((result) => {
    const repeats = result.repeats
    if (!repeats || repeats.tasks === 0) {
      return []
    }
    const passK = repeats.passK.map((value, i) => `pass^${i + 1} ${value === null ? '–' : value.toFixed(2)}`).join(' · ')
    const spread = repeats.passK.length > 1
      ? `; run scores vary on ${repeats.varying} of ${repeats.tasks} prompts (mean range ${repeats.meanRange.toFixed(2)}, mean SD ${repeats.meanSd.toFixed(2)}, of ${board.maxPerTask})`
      : ' (one run per prompt: no spread)'
    return [`repeats ${result.project}: ${passK}${spread}`]
  })
  return lines.length === 0 ? [] : ['repeats: pass^k is the chance that k runs of a prompt all score full marks (tau-bench), averaged over prompts', ...lines]
}

/** One model's scored and skipped tasks in one category, by id (the order runs finished in is not reproducible). */
function categoryTasks(result: ModelResult, categoryId: string): { id: string, score: number, timeouts: number, skipped?: string }[] {
  return Object.entries(result.tasks)
    .filter(([, task]) => task.category === categoryId && (task.score !== null || task.skipped !== undefined))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, task]) => ({
      id,
      score: task.score ?? 0,
      timeouts: (task.endReasons ?? []).filter(reason => reason === 'budget').length,
      ...(task.score === null && task.skipped !== undefined ? { skipped: task.skipped } : {}),
    }))
}

/**
 * Tests per category of one model, as the seed's round-2 notes put it: "5/5 perfect", "3 perfect, 1 partial (0.60)",
 * "4/4 partial credit", "2/5 perfect, 3 scored 0", with tasks skipped for the model's context counted apart.
 */
export function testsNote(board: SuiteBoard, result: ModelResult, categoryId: string): string {
  const all = categoryTasks(result, categoryId)
  if (all.length === 0) {
    return '–'
  }
  const tasks = all.filter(task => task.skipped === undefined)
  const perfect = tasks.filter(task => task.score >= board.maxPerTask).length
  const partial = tasks.filter(task => task.score > 0 && task.score < board.maxPerTask)
  const zero = tasks.filter(task => task.score <= 0).length
  const parts: string[] = []
  if (partial.length === tasks.length && tasks.length > 0) {
    parts.push(`${tasks.length}/${tasks.length} partial credit`)
  }
  else {
    parts.push(partial.length > 0 ? `${perfect} perfect` : `${perfect}/${tasks.length} perfect`)
    if (partial.length > 0) {
      parts.push(`${partial.length} partial (${partial.map(task => task.score.toFixed(2)).join(', ')})`)
    }
    if (zero > 0) {
      parts.push(`${zero} scored 0`)
    }
  }
  const timeouts = tasks.filter(task => task.timeouts > 0).length
  if (timeouts > 0) {
    parts.push(`${timeouts} timeout${timeouts === 1 ? '' : 's'}`)
  }
  const skipped = all.length - tasks.length
  if (skipped > 0) {
    parts.push(`${skipped} skipped`)
  }
  return parts.join(', ')
}

/** Which tests lost points, and why tests were skipped: the seed's Notes column, from the data. */
function categoryNotes(board: SuiteBoard, result: ModelResult, categoryId: string): string {
  const all = categoryTasks(result, categoryId)
  const lost = all.filter(task => task.skipped === undefined && task.score < board.maxPerTask)
  const notes: string[] = []
  if (lost.length > 0) {
    notes.push(`below full marks: ${lost.map(task => `${task.id} ${task.score.toFixed(2)}`).join(', ')}`)
  }
  for (const task of all.filter(t => t.skipped !== undefined)) {
    notes.push(`${task.id} skipped (${task.skipped ?? ''})`)
  }
  return notes.join('; ')
}

/** The seed's round-2 table for one model: Category | Score | Tests | Notes, with the overall row. */
export function modelCategoryTable(board: SuiteBoard, result: ModelResult): string {
  const rows = board.categories.map(category => [
    category.title,
    result.categories[category.id]?.toFixed(2) ?? '–',
    testsNote(board, result, category.id),
    categoryNotes(board, result, category.id),
  ])
  rows.push(['Overall', result.score.toFixed(2), `${board.taskCount} tests (${(result.sum ?? 0).toFixed(2)}/${result.sumMax ?? board.taskCount})`, 'Average across categories.'])
  return table(['Category', 'Score', 'Tests', 'Notes'], rows)
}

/** "0.90 (3.6/4)": a category's score with the sum of its test scores, as the seed's two-model table shows it. */
function scoreWithSum(score: number | undefined, tasks: { score: number }[]): string {
  if (score === undefined || tasks.length === 0) {
    return '–'
  }
  const sum = tasks.reduce((n, task) => n + task.score, 0)
  return `${score.toFixed(2)} (${Number(sum.toFixed(2))}/${tasks.length})`
}

/** The seed's round-2 table for two models side by side, with a note per category saying who takes it and why. */
export function sideBySideTable(board: SuiteBoard, a: ModelResult, b: ModelResult): string {
  const rows = board.categories.map((category) => {
    const scoredA = categoryTasks(a, category.id).filter(task => task.skipped === undefined)
    const scoredB = categoryTasks(b, category.id).filter(task => task.skipped === undefined)
    const scoreA = a.categories[category.id]
    const scoreB = b.categories[category.id]
    let note: string
    if (scoreA === undefined || scoreB === undefined) {
      note = `Not scored for ${scoreA === undefined ? a.project : b.project}.`
    }
    else if (Number(scoreA.toFixed(6)) === Number(scoreB.toFixed(6))) {
      note = scoreA >= board.maxPerTask ? 'Both perfect.' : `Tied: ${a.project} ${testsNote(board, a, category.id)}; ${b.project} ${testsNote(board, b, category.id)}.`
    }
    else {
      const [winner, loser] = scoreA > scoreB ? [a, b] : [b, a]
      note = `${winner.project} takes this (+${Math.abs(scoreA - scoreB).toFixed(2)}); ${loser.project}: ${testsNote(board, loser, category.id)}.`
    }
    return [category.title, scoreWithSum(scoreA, scoredA), scoreWithSum(scoreB, scoredB), note]
  })
  const overall = (result: ModelResult): string => `${result.score.toFixed(2)} (${Number((result.sum ?? 0).toFixed(2))}/${result.sumMax ?? board.taskCount})`
  const lead = Number(a.score.toFixed(6)) === Number(b.score.toFixed(6)) ? 'Tied overall.' : `${a.score > b.score ? a.project : b.project} ahead overall.`
  rows.push(['Overall', overall(a), overall(b), lead])
  return table(['Category', a.name, b.name, 'Notes'], rows)
}

/** Per-task latency as the seed's coding-agent table puts it: the median and slowest run, and the timeouts. */
function taskLatencyNote(metrics: AgentMetrics): string {
  const timeouts = metrics.timeouts === 0 ? 'no timeouts' : `${metrics.timeouts} timeout${metrics.timeouts === 1 ? '' : 's'}`
  return `median ${formatLatency(metrics.taskLatencyMs.median)}, max ${formatLatency(metrics.taskLatencyMs.max)}, ${timeouts}`
}

/** The rows of the seed's coding-agent comparison: each metric's label and how a model's value reads. */
export function agentMetricRows(board: SuiteBoard): [string, (metrics: AgentMetrics) => string][] {
  return [
    ['Composite', m => m.composite.toFixed(3)],
    ['tool_call_success', m => m.toolCallSuccess.toFixed(3)],
    ['task_completion', m => m.taskCompletion.toFixed(3)],
    ['rework_rate', m => m.reworkRate.toFixed(3)],
    ['Pass count', m => `${m.passCount}/${board.taskCount}`],
    ['Per-task latency', taskLatencyNote],
  ]
}

/** The seed's coding-agent comparison: metric rows, model columns. */
export function agentTable(board: SuiteBoard, models: ModelResult[] = board.models): string {
  const cell = (result: ModelResult, value: (metrics: AgentMetrics) => string): string => (result.agent ? value(result.agent) : '–')
  const rows = agentMetricRows(board)
  return table(['Metric', ...models.map(column)], rows.map(([label, value]) => [label, ...models.map(result => cell(result, value))]))
}

/** The whole report of one suite board, as printed and as written to leaderboard.md. */
export function renderSuite(board: SuiteBoard): string {
  const interval = intervalNote(board)
  const parts = [
    `## ${board.title} (${board.id} ${board.version}, ${board.hash})`,
    '',
    leaderboardTable(board),
    // what the interval column and its mark mean, right under the table
    ...(interval ? ['', interval] : []),
    '',
    categoryTable(board),
  ]
  if (ruleOf(board).agentMetrics) {
    parts.push('', agentTable(board))
  }
  if (ruleOf(board).roundTables) {
    for (const result of board.models) {
      parts.push('', `### ${result.name}`, '', modelCategoryTable(board, result))
    }
    const [first, second] = board.models
    if (first && second) {
      parts.push('', `### ${first.name} vs ${second.name}`, '', sideBySideTable(board, first, second))
    }
  }
  const notes = [...footnotes(board), ...repeatNotes(board)]
  if (notes.length > 0) {
    parts.push('', ...notes.map(note => `- ${note}`))
  }
  return parts.join('\n')
}
