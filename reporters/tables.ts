// The seed's tables, rendered from a suite board as Markdown (which also reads well in a terminal): the leaderboard,
// the per-category table, and for 0-1 suites the one-model and two-model category tables with notes.

import type { ModelResult, SuiteBoard } from '../src/types.ts'

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

const where: Record<ModelResult['where'], string> = { local: 'Local', cloud: 'Cloud API', embedded: 'Embedded' }

export function formatScore(board: SuiteBoard, result: ModelResult): string {
  return board.aggregate === 'sum' ? `${result.score.toFixed(1)}/${board.max}` : result.score.toFixed(2)
}

function rankCell(result: ModelResult): string {
  if (result.rank === null) {
    return !result.comparable ? 'n/c' : 'inc.'
  }
  return result.rank === 1 ? '🥇' : String(result.rank)
}

/** Column name for a model in per-category tables: its project key, short and unique. */
const column = (result: ModelResult): string => result.project

/** Rank | Model | Score | % | Avg Latency | Context | Where, as in the seed, plus what a reader needs to trust it. */
export function leaderboardTable(board: SuiteBoard): string {
  const sumColumn = board.aggregate === 'macro-mean'
  const header = ['Rank', 'Model', 'Score', ...(sumColumn ? ['Sum'] : []), '%', 'Avg Latency', 'Context', 'Where']
  const rows = board.models.map(result => [
    rankCell(result),
    result.name,
    formatScore(board, result),
    ...(sumColumn ? [`${(result.sum ?? 0).toFixed(2)}/${result.sumMax ?? board.taskCount}`] : []),
    `${result.percent.toFixed(1)}%`,
    formatLatency(result.avgLatencyMs),
    result.context,
    where[result.where],
  ])
  return table(header, rows)
}

/** Categories as rows, models as columns, 2 decimals. */
export function categoryTable(board: SuiteBoard, models: ModelResult[] = board.models): string {
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
      notes.push(`inc. ${result.project}: incomplete (${done} of ${board.taskCount} tasks scored${result.infraErrors > 0 ? `, ${result.infraErrors} runs lost to infrastructure errors` : ''}): not ranked`)
    }
    if (result.textToolCalls > 0) {
      notes.push(`${result.project}: ${result.textToolCalls} tool call(s) written as text in the content (format failures, not executed)`)
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

/** Tests per category of one model, as the seed's round-2 notes put it: "5/5 perfect", "3 perfect, 1 partial (0.60)". */
export function testsNote(board: SuiteBoard, result: ModelResult, categoryId: string): string {
  const tasks = Object.values(result.tasks).filter(task => task.category === categoryId && task.score !== null)
  const perfect = tasks.filter(task => (task.score ?? 0) >= board.maxPerTask).length
  const partial = tasks.filter(task => (task.score ?? 0) > 0 && (task.score ?? 0) < board.maxPerTask)
  const parts = [`${perfect}/${tasks.length} perfect`]
  if (partial.length > 0) {
    parts.push(`${partial.length} partial (${partial.map(task => (task.score ?? 0).toFixed(2)).join(', ')})`)
  }
  return parts.join(', ')
}

/** The seed's round-2 table for one model: Category | Score | Tests, with the overall row. */
export function modelCategoryTable(board: SuiteBoard, result: ModelResult): string {
  const rows = board.categories.map(category => [
    category.title,
    result.categories[category.id]?.toFixed(2) ?? '–',
    testsNote(board, result, category.id),
  ])
  rows.push(['Overall', result.score.toFixed(2), `${board.taskCount} tests (${(result.sum ?? 0).toFixed(2)}/${result.sumMax ?? board.taskCount})`])
  return table(['Category', 'Score', 'Tests'], rows)
}

/** The whole report of one suite board, as printed and as written to leaderboard.md. */
export function renderSuite(board: SuiteBoard): string {
  const parts = [
    `## ${board.title} (${board.id} ${board.version}, ${board.hash})`,
    '',
    leaderboardTable(board),
    '',
    categoryTable(board),
  ]
  if (board.aggregate === 'macro-mean') {
    for (const result of board.models) {
      parts.push('', `### ${result.name}`, '', modelCategoryTable(board, result))
    }
  }
  const notes = footnotes(board)
  if (notes.length > 0) {
    parts.push('', ...notes.map(note => `- ${note}`))
  }
  return parts.join('\n')
}
