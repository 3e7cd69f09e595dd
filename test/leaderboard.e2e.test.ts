// The leaderboard across runs: mergeLeaderboard on plain data (the latest complete run of every model is kept, models
// run separately rank together, a partial rerun never replaces a complete comparable run, a score against another
// version of a suite is kept but unranked), then two real runs, one model each, into one results folder.

import type { HarnessStamp, LeaderboardFile, ModelResult, RunRecord, Suite, SuiteStamp } from '../src/core/types.ts'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { suites } from '../fixtures/suites.ts'
import { loadReportData } from '../reporters/html.ts'
import { difficultyNotes, emptyBoard, mergeLeaderboard, taskDifficulty } from '../src/core/leaderboard.ts'
import { endpointOf, rowKey } from '../src/core/rows.ts'
import { startReferenceServer } from '../src/node/reference-server.ts'
import { runBench } from './support/run-bench.ts'

const suite: Suite = {
  id: 'mini', title: 'Mini', version: '1.0.0', maxScore: 3, runs: 1, aggregate: 'sum',
  categories: [{ id: 'single', title: 'Single tool', tasks: ['t1', 't2'].map(id => ({ id, prompt: id, tools: [], expect: {}, solution: [{ final: '' }] })) }],
}
const other: Suite = { ...suite, id: 'other', title: 'Other' }
const stamps = new Map<string, SuiteStamp>([['mini', { id: 'mini', version: '1.0.0', hash: 'h2' }], ['other', { id: 'other', version: '1.0.0', hash: 'o1' }]])
const harness: HarnessStamp = { version: '0.1.0', vitest: '4.1.12' }

/** A model's row as summarize makes it: complete and scored against the current hash unless told otherwise. */
const result = (project: string, score: number, runId: string, extra: Partial<ModelResult> = {}): ModelResult => ({
  project, name: project.toUpperCase(), model: project, where: 'local', context: '128K', rank: null, score, max: 6, percent: 100 * score / 6,
  avgLatencyMs: 1000, categories: { single: score / 2 }, tasks: {}, complete: true, comparable: true, hash: 'h2', runs: 2, infraErrors: 0, retries: 0,
  modelCalls: 4, toolCalls: 2, toolErrors: 0, textToolCalls: 0, tokens: { inputTokens: 100, outputTokens: 20 }, cost: 0, endReasons: { final: 2 },
  runId, finishedAt: `2026-12-0${runId.slice(1)}T10:00:00.000Z`, ...extra,
})

const merge = (previous: LeaderboardFile | undefined, fresh: Record<string, ModelResult[]>, updatedAt = '2026-12-09T00:00:00.000Z') =>
  mergeLeaderboard(previous, new Map(Object.entries(fresh)), [suite, other], stamps, updatedAt, harness)

const rows = (board: LeaderboardFile, id = 'mini'): [string, number | null, number, string, boolean][] =>
  (board.suites[id]?.models ?? []).map(model => [model.project, model.rank, model.score, model.runId, model.comparable])

describe('mergeLeaderboard', () => {
  it('writes a suite\'s board with its stamp and shape, and only for suites with a result', () => {
    const { board, notes } = merge(undefined, { mini: [result('a', 5, 'r1')] })
    expect(board).toMatchObject({ schema: 1, updatedAt: '2026-12-09T00:00:00.000Z', harness })
    expect(Object.keys(board.suites)).toEqual(['mini'])
    expect(board.suites.mini).toMatchObject({ ...emptyBoard(suite, { id: 'mini', version: '1.0.0', hash: 'h2' }), models: [expect.objectContaining({ project: 'a', rank: 1 })] })
    expect(board.suites.mini).toMatchObject({ hash: 'h2', max: 6, taskCount: 2, maxPerTask: 3 })
    expect(notes).toEqual([])
  })

  it('keeps the latest complete run of every model, better or worse than the one before', () => {
    const first = merge(undefined, { mini: [result('a', 6, 'r1'), result('b', 4, 'r1')] }).board
    const { board, notes } = merge(first, { mini: [result('a', 3, 'r2')] })
    expect(rows(board)).toEqual([['b', 1, 4, 'r1', true], ['a', 2, 3, 'r2', true]])
    expect(notes).toEqual([])
  })

  it('ranks models run separately, on different days, together', () => {
    const monday = merge(undefined, { mini: [result('a', 4, 'r1')] }).board
    expect(rows(monday)).toEqual([['a', 1, 4, 'r1', true]])
    const tuesday = merge(monday, { mini: [result('b', 5, 'r2')] }).board
    const wednesday = merge(tuesday, { mini: [result('c', 4, 'r3')] }).board
    expect(rows(wednesday)).toEqual([['b', 1, 5, 'r2', true], ['a', 2, 4, 'r1', true], ['c', 2, 4, 'r3', true]])
    // Other suites' boards are kept untouched by a run that did not touch them.
    const both = merge(merge(undefined, { other: [result('a', 2, 'r1', { hash: 'o1' })] }).board, { mini: [result('b', 5, 'r2')] }).board
    expect(rows(both, 'other')).toEqual([['a', 1, 2, 'r1', true]])
    expect(rows(both, 'mini')).toEqual([['b', 1, 5, 'r2', true]])
  })

  it('keeps a complete comparable run over a partial rerun, and says so', () => {
    const complete = merge(undefined, { mini: [result('a', 6, 'r1'), result('b', 4, 'r1')] }).board
    const { board, notes } = merge(complete, { mini: [result('a', 3, 'r2', { complete: false })] })
    expect(rows(board)).toEqual([['a', 1, 6, 'r1', true], ['b', 2, 4, 'r1', true]])
    expect(notes).toEqual(['a mini: this run was partial; the leaderboard keeps the complete run of 2026-12-01T10:00:00.000Z'])
  })

  it('lets a partial run replace a partial one, or a complete run of another suite version, and leaves it unranked', () => {
    const partial = merge(undefined, { mini: [result('a', 2, 'r1', { complete: false })] }).board
    const again = merge(partial, { mini: [result('a', 3, 'r2', { complete: false })] })
    expect(rows(again.board)).toEqual([['a', null, 3, 'r2', true]])
    expect(again.notes).toEqual([])
    const stale = merge(undefined, { mini: [result('a', 6, 'r1', { hash: 'h1' })] }).board
    const replaced = merge(stale, { mini: [result('a', 3, 'r2', { complete: false })] })
    expect(rows(replaced.board)).toEqual([['a', null, 3, 'r2', true]])
    expect(replaced.notes).toEqual([])
  })

  it('marks an entry scored against another suite hash not comparable and leaves it unranked, after the ranked ones', () => {
    // Kept from before the suite changed (h1 -> h2): shown, not ranked, even with the best score.
    const before: LeaderboardFile = {
      schema: 1,
      updatedAt: '2026-12-01T00:00:00.000Z',
      harness,
      suites: { mini: { ...emptyBoard(suite, { id: 'mini', version: '1.0.0', hash: 'h1' }), models: [{ ...result('old', 6, 'r1', { hash: 'h1' }), rank: 1 }] } },
    }
    const { board } = merge(before, { mini: [result('a', 4, 'r2'), result('b', 2, 'r2')] })
    expect(board.suites.mini?.hash).toBe('h2')
    expect(rows(board)).toEqual([['a', 1, 4, 'r2', true], ['b', 2, 2, 'r2', true], ['old', null, 6, 'r1', false]])
    // A fresh result scored against another hash than the suite's current one is not comparable either.
    const fresh = merge(undefined, { mini: [result('a', 4, 'r2'), result('x', 6, 'r2', { hash: 'h0' })] }).board
    expect(rows(fresh)).toEqual([['a', 1, 4, 'r2', true], ['x', null, 6, 'r2', false]])
  })
})

describe('the custom project\'s rows', () => {
  const custom = (model: string, endpoint: string, score: number, runId: string): ModelResult => result('custom', score, runId, { model, endpoint, name: `custom (${model})` })

  it('are one per endpoint and model: a run against another endpoint, or another model, adds a row; the same pair replaces its own', () => {
    const first = merge(undefined, { mini: [custom('qwen3', 'http://127.0.0.1:8080/v1', 4, 'r1')] }).board
    const second = merge(first, { mini: [custom('qwen3', 'https://gpu-box.lan/v1', 5, 'r2')] }).board
    const third = merge(second, { mini: [custom('llama', 'http://127.0.0.1:8080/v1', 2, 'r3')] }).board
    expect(rows(third).map(([project, rank, score, runId]) => [project, rank, score, runId])).toEqual([['custom', 1, 5, 'r2'], ['custom', 2, 4, 'r1'], ['custom', 3, 2, 'r3']])
    const again = merge(third, { mini: [custom('qwen3', 'http://127.0.0.1:8080/v1', 6, 'r4')] }).board
    expect(again.suites.mini?.models.map(model => [model.model, model.endpoint, model.score])).toEqual([['qwen3', 'http://127.0.0.1:8080/v1', 6], ['qwen3', 'https://gpu-box.lan/v1', 5], ['llama', 'http://127.0.0.1:8080/v1', 2]])
  })

  it('a model of the matrix keeps one row whatever its endpoint (baseURLEnv may move it); an endpoint drops credentials, query and trailing slash', () => {
    expect(rowKey({ project: 'qwen35', model: 'qwen3.5', endpoint: 'http://a/v1' })).toBe(rowKey({ project: 'qwen35', model: 'qwen3.5', endpoint: 'http://b/v1' }))
    expect(rowKey({ project: 'custom', model: 'm', endpoint: 'http://a/v1' })).not.toBe(rowKey({ project: 'custom', model: 'm', endpoint: 'http://b/v1' }))
    expect(endpointOf('https://user:secret@api.example.com:8443/v1/?x=1')).toBe('https://api.example.com:8443/v1')
    expect(endpointOf('embedded')).toBe('embedded')
  })

  it('two endpoints, one results folder: two rows, each named by its endpoint, each report drill-down holding only its own runs', async () => {
    const [one, two] = await Promise.all([startReferenceServer({ suites }), startReferenceServer({ suites })])
    try {
      const dir = mkdtempSync(join(tmpdir(), 'milo-custom-rows-'))
      const spec = 'benchmarks/classic/single-tool.spec.ts'
      const first = await runBench(['--project', 'custom', spec], { MILO_BASE_URL: one.url, MILO_MODEL: 'oracle' }, dir)
      expect(first.code, first.output).toBe(0)
      const second = await runBench(['--project', 'custom', spec], { MILO_BASE_URL: two.url, MILO_MODEL: 'baseline' }, dir)
      expect(second.code, second.output).toBe(0)
      const board = second.leaderboard()
      const models = board.suites.classic?.models ?? []
      expect(models.map(model => [model.project, model.name, model.endpoint])).toEqual([
        ['custom', `custom (oracle @ ${new URL(one.url).host})`, endpointOf(one.url)],
        ['custom', `custom (baseline @ ${new URL(two.url).host})`, endpointOf(two.url)],
      ])
      const report = loadReportData(dir, board).suites.classic ?? {}
      const [oracleRow, baselineRow] = models.map(rowKey)
      expect(Object.keys(report)).toEqual([oracleRow, baselineRow])
      const scores = (key = ''): number[] => Object.values(report[key] ?? {}).flatMap(task => task.runs.map(run => run.score ?? -1))
      expect(scores(oracleRow).every(score => score === 3)).toBe(true)
      expect(scores(baselineRow).length).toBe(scores(oracleRow).length)
      expect(scores(baselineRow).some(score => score < 3)).toBe(true)
    }
    finally {
      await Promise.all([one.close(), two.close()])
    }
  }, 300_000)
})

describe('two runs, one model each, into one results folder', () => {
  it('ranks the oracle and the baseline together: oracle 1, baseline 2, each from its own run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'milo-leaderboard-'))
    const oracle = await runBench(['--project', 'oracle', 'benchmarks/classic'], {}, dir)
    expect(oracle.code, oracle.output).toBe(0)
    const afterOracle = oracle.leaderboard().suites.classic
    expect(afterOracle?.models.map(model => [model.project, model.rank])).toEqual([['oracle', 1]])
    const baseline = await runBench(['--project', 'baseline', 'benchmarks/classic'], {}, dir)
    expect(baseline.code, baseline.output).toBe(0)
    const board = baseline.leaderboard()
    expect(Object.keys(board.suites)).toEqual(['classic'])
    const models = board.suites.classic?.models ?? []
    expect(models.map(model => [model.project, model.rank, model.complete, model.comparable])).toEqual([['oracle', 1, true, true], ['baseline', 2, true, true]])
    expect(models[0]?.score).toBe(60)
    expect(models[1]?.score).toBeLessThan(60)
    // The oracle's row is the first run's, carried over as it was; the baseline's is the second run's.
    expect(models[0]).toEqual(afterOracle?.models[0])
    const runIds = (project: string): string[] => readdirSync(join(dir, 'runs', project)).map(file => file.replace(/\.jsonl$/, ''))
    expect(runIds('oracle')).toEqual([models[0]?.runId])
    expect(runIds('baseline')).toEqual([models[1]?.runId])
    expect(models[1]?.runId).not.toBe(models[0]?.runId)
    const records = readFileSync(join(dir, 'runs', 'baseline', `${models[1]?.runId}.jsonl`), 'utf8').trim().split('\n').map(line => JSON.parse(line) as RunRecord)
    expect(records).toHaveLength(60)
    expect(baseline.stdout).toMatch(/\| Rank +\| Model +\| Score/)
    expect(readFileSync(join(dir, 'leaderboard.md'), 'utf8')).toMatch(/oracle[\s\S]*baseline/)
  }, 300_000)
})

describe('task difficulty, measured on the ranked models that are not reference models', () => {
  const task = (score: number | null): ModelResult['tasks'][string] => ({ category: 'c', score, runs: [score] })
  const suite: Suite = { id: 's', title: 'S', version: '1', maxScore: 3, runs: 1, aggregate: 'sum', categories: [{ id: 'c', title: 'C', tasks: ['easy', 'hard', 'broken'].map(id => ({ id, prompt: id, tools: [], expect: {}, solution: [{ final: 'x' }] })) }] }
  const model = (project: string, where: ModelResult['where'], scores: [number, number, number], rank: number | null = 1): ModelResult => ({
    ...result(project, scores.reduce((a, b) => a + b, 0), 'r1', { rank }),
    where,
    tasks: { easy: task(scores[0]), hard: task(scores[1]), broken: task(scores[2]) },
  })

  it('counts full marks and zeros per task, leaving reference models and unranked results out', () => {
    const models = [model('a', 'cloud', [3, 1.5, 0]), model('b', 'local', [3, 3, 0]), model('oracle', 'embedded', [3, 3, 3]), model('partial', 'cloud', [0, 0, 0], null)]
    expect(taskDifficulty(suite, models)).toEqual({
      easy: { category: 'c', models: 2, full: 2, zero: 0 },
      hard: { category: 'c', models: 2, full: 1, zero: 0 },
      broken: { category: 'c', models: 2, full: 0, zero: 2 },
    })
    expect(difficultyNotes(suite, taskDifficulty(suite, models))).toEqual([
      's: 1 task(s) every ranked model aces, so they carry no signal: easy',
      's: 1 task(s) every ranked model scores 0 on; check them for a defect: broken',
    ])
  })

  it('is said of a suite the run scored something in, not of one whose board was only carried over', () => {
    const ranked = (project: string, scores: [number, number, number]): ModelResult => ({ ...model(project, 'cloud', scores), hash: 'h1', runs: 3 })
    const stamp = new Map<string, SuiteStamp>([['s', { id: 's', version: '1', hash: 'h1' }]])
    const merged = (previous: LeaderboardFile | undefined, fresh: ModelResult[]) => mergeLeaderboard(previous, new Map([['s', fresh]]), [suite], stamp, '2026-12-09T00:00:00.000Z', harness)
    const first = merged(undefined, [ranked('a', [3, 1, 0]), ranked('b', [3, 2, 0])])
    expect(first.notes).toContain('s: 1 task(s) every ranked model aces, so they carry no signal: easy')
    expect(merged(first.board, []).notes).toEqual([])
    expect(merged(first.board, [{ ...ranked('c', [0, 0, 0]), runs: 3, infraErrors: 3, complete: false }]).notes).toEqual([])
    expect(merged(first.board, [ranked('a', [3, 1, 0])]).notes).toContain('s: 1 task(s) every ranked model aces, so they carry no signal: easy')
  })

  it('says nothing until two such models are ranked', () => {
    expect(taskDifficulty(suite, [model('a', 'cloud', [3, 3, 3]), model('oracle', 'embedded', [3, 3, 3])])).toBeUndefined()
  })
})

describe('the runs behind a row, for the HTML and runs.csv', () => {
  it('holds every repeat the row scores, each from the latest file with it, after one repeat was rerun on its own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'milo-report-'))
    const record = (runId: string, repeat: number, score: number): RunRecord => ({
      schema: 1, runId, project: 'oracle', model: { key: 'oracle', name: 'Oracle', model: 'oracle', baseURL: 'http://x/v1', server: 'reference', where: 'embedded', context: { label: '1M', tokens: 1_000_000 } },
      suite: { id: 'mini', version: '1.0.0', hash: 'h2' }, category: 'single', taskId: 't1', repeat, score, maxScore: 3, endReason: 'final',
      latencyMs: 1, calls: 1, toolCalls: 1, retries: 0, usage: { inputTokens: 1, outputTokens: 1 }, checks: [], finishedAt: '2026-12-01T00:00:00.000Z',
    }) as unknown as RunRecord
    mkdirSync(join(dir, 'runs', 'oracle'), { recursive: true })
    writeFileSync(join(dir, 'runs', 'oracle', 'r1.jsonl'), [0, 1, 2].map(repeat => JSON.stringify(record('r1', repeat, 3))).join('\n'))
    // `run 2` alone, later (a -t filter, a single test rerun in the UI): the row keeps runs 1 and 3 from r1
    writeFileSync(join(dir, 'runs', 'oracle', 'r2.jsonl'), JSON.stringify(record('r2', 1, 0)))
    const { board } = merge(undefined, { mini: [result('oracle', 2, 'r2', { tasks: { t1: { category: 'single', score: 2, runs: [3, 0, 3] } } })] })
    const task = loadReportData(dir, board).suites.mini?.oracle?.t1
    expect(task?.runId).toBe('r2')
    expect(task?.runs.map(run => [run.repeat, run.score, run.runId])).toEqual([[0, 3, 'r1'], [1, 0, undefined], [2, 3, 'r1']])
  })
})
