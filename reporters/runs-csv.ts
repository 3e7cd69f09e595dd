// The per-run export (main process): results/runs.csv beside leaderboard.json, one row per run behind the leaderboard
// (the runs the HTML report drills down to), for spreadsheets and notebooks. RFC 4180: a header row, comma-separated
// fields, CRLF line ends, and a field quoted (its quotes doubled) when it holds a comma, a quote or a line break.

import type { ReportData } from './html.ts'
import type { LeaderboardFile } from '../src/core/types.ts'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { rowKey } from '../src/core/rows.ts'
import { loadReportData } from './html.ts'

/**
 * The columns, in order. `endpoint` is set for `custom` rows (whatever MILO_BASE_URL named: two endpoints, two sets of
 * rows); `run` counts from 1; `score` is empty for a run the infrastructure lost (not scored).
 */
export const runColumns = [
  'project', 'model', 'model_id', 'endpoint', 'suite', 'category', 'task', 'run', 'score', 'max', 'end_reason', 'error',
  'latency_ms', 'model_calls', 'tool_calls', 'input_tokens', 'output_tokens', 'cost_usd', 'cached', 'run_id',
] as const

type CsvValue = string | number | boolean | null | undefined

/** One field: empty for null or undefined, quoted when it holds a comma, a double quote, CR or LF. */
export function csvField(value: CsvValue): string {
  const text = value === null || value === undefined ? '' : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** Rows as RFC 4180 text: every line, the last one too, ends with CRLF. */
export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return rows.map(row => `${row.map(csvField).join(',')}\r\n`).join('')
}

/**
 * The rows of runs.csv: per suite, model (board order), category (suite order), task (by id) and run. A model's
 * display name and id come from the board; cost is the run's tokens at the price its model entry declared, and empty
 * when it declared none.
 */
export function runsCsv(board: LeaderboardFile, data: ReportData): string {
  const rows: CsvValue[][] = [[...runColumns]]
  for (const suite of Object.values(board.suites)) {
    const order = new Map(suite.categories.map((category, i) => [category.id, i]))
    for (const model of suite.models) {
      // The report data holds a row's runs under its identity: for `custom`, model and endpoint too.
      const tasks = Object.entries(data.suites[suite.id]?.[rowKey(model)] ?? {})
        .map(([taskId, task]) => ({ taskId, task, category: model.tasks[taskId]?.category ?? '' }))
        .sort((a, b) => (order.get(a.category) ?? order.size) - (order.get(b.category) ?? order.size) || a.taskId.localeCompare(b.taskId))
      for (const { taskId, task, category } of tasks) {
        for (const run of task.runs) {
          rows.push([
            model.project, model.name, model.model, model.project === 'custom' ? model.endpoint : undefined, suite.id, category, taskId, run.repeat + 1,
            run.score, run.maxScore, run.endReason, run.error, run.latencyMs, run.calls, run.toolCalls,
            run.usage.inputTokens, run.usage.outputTokens, run.costUsd === undefined ? undefined : Number(run.costUsd.toFixed(8)),
            run.cached === true, run.runId ?? task.runId,
          ])
        }
      }
    }
  }
  return toCsv(rows)
}

/** Writes `runs.csv` into the results folder from the run records behind `board` (no transcripts read); returns its path. */
export function writeRunsCsv(outputDir: string, board: LeaderboardFile): string {
  const path = join(outputDir, 'runs.csv')
  writeFileSync(path, runsCsv(board, loadReportData(outputDir, board, { transcripts: false, budget: Number.POSITIVE_INFINITY })))
  return path
}
