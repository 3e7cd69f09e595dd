// results/runs.csv: RFC 4180 quoting on plain values, the rows built from a board and its run data, then a real run
// of one suite for two models, parsed back with a reader written here from the RFC, against the run records.

import type { ReportData, RunView } from '../reporters/html.ts'
import type { LeaderboardFile, ModelResult, RunRecord, SuiteBoard } from '../src/core/types.ts'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { csvField, runColumns, runsCsv, toCsv } from '../reporters/runs-csv.ts'
import { runBench } from './support/run-bench.ts'

/** RFC 4180, read: records end with CRLF; a quoted field may hold commas, CRLF and doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      }
      else if (char === '"') {
        quoted = false
      }
      else {
        field += char
      }
    }
    else if (char === '"' && field === '') {
      quoted = true
    }
    else if (char === ',') {
      row.push(field)
      field = ''
    }
    else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      i++
    }
    else {
      field += char
    }
  }
  if (field !== '' || row.length > 0) {
    throw new Error('the last record does not end with CRLF')
  }
  return rows
}

describe('RFC 4180 fields', () => {
  it('quotes a field only when it holds a comma, a double quote or a line break, doubling its quotes', () => {
    expect(csvField('plain text')).toBe('plain text')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\nlines')).toBe('"two\nlines"')
    expect(csvField('cr\rhere')).toBe('"cr\rhere"')
    expect(csvField(2.5)).toBe('2.5')
    expect(csvField(null)).toBe('')
    expect(csvField(undefined)).toBe('')
    expect(csvField(false)).toBe('false')
  })

  it('ends every record with CRLF, and reads back to the same values', () => {
    const rows = [['a', 'b,c', 'd "e"'], ['line\r\nbreak', '', 'x']]
    const text = toCsv(rows)
    expect(text).toBe('a,"b,c","d ""e"""\r\n"line\r\nbreak",,x\r\n')
    expect(parseCsv(text)).toEqual(rows)
  })
})

describe('runsCsv', () => {
  const run = (repeat: number, score: number | null, extra: Partial<RunView> = {}): RunView => ({
    repeat, score, maxScore: 3, endReason: score === null ? 'error' : 'final', latencyMs: 120.5, calls: 2, toolCalls: 1, retries: 0,
    usage: { inputTokens: 1000, outputTokens: 50 }, checks: [], ...extra,
  })
  const model = (project: string, name: string, tasks: ModelResult['tasks']): ModelResult => ({ project, name, model: `${project}-id`, tasks }) as unknown as ModelResult
  const suite: SuiteBoard = {
    id: 'classic', title: 'Classic', version: '1', hash: 'h', aggregate: 'sum', max: 6, taskCount: 2, maxPerTask: 3,
    categories: [{ id: 'single', title: 'Single tool' }, { id: 'chains', title: 'Chains' }],
    models: [
      model('opus', 'Claude, "Opus"', { 'z-task': { category: 'single', score: 3, runs: [3] }, 'a-task': { category: 'chains', score: 1, runs: [1, null] } }),
      model('local', 'Local', { 'z-task': { category: 'single', score: 2, runs: [2] } }),
      // `custom` at two endpoints: two rows, whose runs the report data holds under each row's identity
      { ...model('custom', 'qwen', { 'z-task': { category: 'single', score: 1, runs: [1] } }), model: 'qwen', endpoint: 'http://a:8000/v1' },
      { ...model('custom', 'qwen', { 'z-task': { category: 'single', score: 0, runs: [0] } }), model: 'qwen', endpoint: 'http://b:8000/v1' },
    ],
  }
  const board: LeaderboardFile = { schema: 1, updatedAt: 'now', harness: { version: '0.1.0', vitest: '4.1.12' }, suites: { classic: suite } }
  const data: ReportData = {
    suites: {
      classic: {
        'opus': {
          'a-task': { runId: 'r2', runs: [run(0, 1, { costUsd: 0.00375 }), run(1, null, { error: 'server: 503, retried 3 times', costUsd: 0.00375 })] },
          'z-task': { runId: 'r1', runs: [run(0, 3, { costUsd: 0.0030000000000000005, cached: true })] },
        },
        'local': { 'z-task': { runId: 'r3', runs: [run(0, 2)] } },
        'custom qwen @ http://a:8000/v1': { 'z-task': { runId: 'r4', runs: [run(0, 1)] } },
        'custom qwen @ http://b:8000/v1': { 'z-task': { runId: 'r5', runs: [run(0, 0)] } },
      },
    },
  }

  it('writes one row per run, by suite, model (custom by endpoint), category, task and run, with cost only where a price was declared', () => {
    const rows = parseCsv(runsCsv(board, data))
    expect(rows[0]).toEqual([...runColumns])
    const column = (name: (typeof runColumns)[number]): number => runColumns.indexOf(name)
    expect(rows.slice(1).map(row => [row[column('project')], row[column('endpoint')], row[column('category')], row[column('task')], row[column('run')], row[column('score')], row[column('run_id')]])).toEqual([
      ['opus', '', 'single', 'z-task', '1', '3', 'r1'],
      ['opus', '', 'chains', 'a-task', '1', '1', 'r2'],
      ['opus', '', 'chains', 'a-task', '2', '', 'r2'],
      ['local', '', 'single', 'z-task', '1', '2', 'r3'],
      ['custom', 'http://a:8000/v1', 'single', 'z-task', '1', '1', 'r4'],
      ['custom', 'http://b:8000/v1', 'single', 'z-task', '1', '0', 'r5'],
    ])
    const [, first, , lost, local] = rows
    expect(first).toEqual(['opus', 'Claude, "Opus"', 'opus-id', '', 'classic', 'single', 'z-task', '1', '3', '3', 'final', '', '120.5', '2', '1', '1000', '50', '0.003', 'true', 'r1'])
    expect(lost?.slice(column('end_reason'), column('error') + 1)).toEqual(['error', 'server: 503, retried 3 times'])
    expect(local?.[column('cost_usd')]).toBe('')
    expect(runsCsv(board, data)).toContain('"Claude, ""Opus"""')
  })
})

describe('results/runs.csv from a real run', () => {
  it('holds every run behind the board, as the run records have it, and the HTML links to it', async () => {
    const run = await runBench(['--project', 'oracle', '--project', 'baseline', 'benchmarks/classic/single-tool.spec.ts'])
    expect(run.code, run.output).toBe(0)
    const rows = parseCsv(readFileSync(join(run.resultsDir, 'runs.csv'), 'utf8'))
    const records = ['oracle', 'baseline'].flatMap(project => readdirSync(join(run.resultsDir, 'runs', project))
      .flatMap(file => readFileSync(join(run.resultsDir, 'runs', project, file), 'utf8').trim().split('\n').map(line => JSON.parse(line) as RunRecord)))
    expect(rows[0]).toEqual([...runColumns])
    const at = (name: (typeof runColumns)[number]): number => runColumns.indexOf(name)
    const key = (project: string, task: string, repeat: number): string => `${project} ${task} ${repeat}`
    expect(rows.slice(1).map(row => key(row[at('project')] ?? '', row[at('task')] ?? '', Number(row[at('run')]) - 1)).sort())
      .toEqual(records.map(record => key(record.project, record.taskId, record.repeat)).sort())
    for (const record of records) {
      const row = rows.find(r => r[at('project')] === record.project && r[at('task')] === record.taskId && r[at('run')] === String(record.repeat + 1))
      expect(row).toEqual([
        record.project, record.model.name, record.model.model, '', 'classic', record.category, record.taskId, String(record.repeat + 1),
        String(record.score), String(record.maxScore), record.endReason, '', String(record.latencyMs), String(record.calls), String(record.toolCalls),
        String(record.usage.inputTokens), String(record.usage.outputTokens), '', String(record.cached === true), record.runId,
      ])
    }
    expect(readFileSync(join(run.resultsDir, 'leaderboard.html'), 'utf8')).toContain('<a href="runs.csv"')
    expect(run.stdout).toContain('runs.csv')
  })
})
