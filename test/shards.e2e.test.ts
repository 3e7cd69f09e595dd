// Shards: three `vitest run --shard=i/3 --reporter=blob` runs, as three CI machines would make them, merged with
// `vitest run --merge-reports`, must give the leaderboard of one unsharded run, with each run recorded once and the
// gate applied to the merged report (Vitest 4.1's merge caveats: research/vitest-4.1.md section 5).

import type { BenchRun } from './support/run-bench.ts'
import type { LeaderboardFile, RunRecord } from '../src/core/types.ts'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { endpointOf } from '../src/core/rows.ts'
import { useReferenceServer } from './support/reference-server.ts'
import { runBench } from './support/run-bench.ts'
import { sharedRun } from './support/shared-runs.ts'

// Two suites, one scored by prompts (classic) and one by its pooled metrics (coding-agent); sharding splits spec files,
// whichever suites they belong to (v1 is scored as classic is, and left out for time). The unsharded run is the shared
// `npm run bench` (four models, every suite); the shards run two of the models, the top and the bottom, and are
// compared with those two on those suites.
const sharded = ['oracle', 'baseline']
const projects = sharded.flatMap(project => ['--project', project])
const suiteIds = ['classic', 'coding-agent']
const specs = suiteIds.map(id => `benchmarks/${id}`)

/**
 * Everything in a leaderboard that is a score, for the sharded projects (latency and timestamps differ from run to
 * run; scores may not). Ranks are left out: the unsharded board ranks two more models.
 */
function scores(board: LeaderboardFile): unknown {
  return Object.fromEntries(Object.entries(board.suites).filter(([id]) => suiteIds.includes(id)).map(([id, suite]) => [id, {
    hash: suite.hash,
    models: suite.models.filter(model => sharded.includes(model.project)).map(model => ({
      project: model.project,
      score: model.score,
      percent: model.percent,
      sum: model.sum,
      categories: model.categories,
      tasks: model.tasks,
      complete: model.complete,
      comparable: model.comparable,
      runs: model.runs,
      modelCalls: model.modelCalls,
      toolCalls: model.toolCalls,
      toolErrors: model.toolErrors,
      endReasons: model.endReasons,
      // coding-agent: the composite and the metrics behind it (task latency aside: a time, not a score).
      agent: model.agent && { ...model.agent, taskLatencyMs: undefined },
    })),
  }]))
}

function records(resultsDir: string): { file: string, record: RunRecord }[] {
  const root = join(resultsDir, 'runs')
  if (!existsSync(root)) {
    return []
  }
  return readdirSync(root).flatMap(project => readdirSync(join(root, project)).flatMap(file =>
    readFileSync(join(root, project, file), 'utf8').trim().split('\n').filter(Boolean).map(line => ({ file: `${project}/${file}`, record: JSON.parse(line) as RunRecord }))))
}

/** The unsharded run's records of what the shards ran: the sharded projects, on the sharded suites. */
const wholeRecords = (resultsDir: string): { file: string, record: RunRecord }[] =>
  records(resultsDir).filter(({ record }) => sharded.includes(record.project) && suiteIds.includes(record.suite.id))

/** A run's identity: which model ran which prompt, which time. */
const runKey = ({ record }: { record: RunRecord }): string => `${record.project} ${record.suite.id} ${record.taskId} ${record.repeat}`

describe('--shard=i/3 --reporter=blob, then --merge-reports', () => {
  let whole: BenchRun
  let shards: BenchRun[] = []
  let merged: BenchRun
  let blobs: string

  beforeAll(async () => {
    blobs = mkdtempSync(join(tmpdir(), 'milo-blobs-'))
    // The unsharded run is `npm run bench`, the one the HTML and bench tests read too, and the shards run side by side.
    // As the README's CI recipe: the blob for the merge, our reporter for the exit code (a prompt a model fails is a
    // result, not an error), each shard on its own machine with its own results folder.
    ;[whole, ...shards] = await Promise.all([
      sharedRun('bench'),
      ...[1, 2, 3].map(index => runBench([...projects, ...specs, `--shard=${index}/3`, '--passWithNoTests', '--reporter=blob', `--outputFile.blob=${join(blobs, `blob-${index}-3.json`)}`, '--reporter=./reporters/leaderboard-reporter.ts'])),
    ])
    merged = await runBench([`--merge-reports=${blobs}`])
  }, 900_000)

  it('each shard exits 0, runs part of the benchmark and leaves the gate to the merge', () => {
    for (const [i, shard] of shards.entries()) {
      expect(shard.code, shard.output).toBe(0)
      expect(shard.stdout).toContain(`milo-bench: shard ${i + 1}/3: gates run on the merged report`)
    }
    expect(readdirSync(blobs).sort()).toEqual(['blob-1-3.json', 'blob-2-3.json', 'blob-3-3.json'])
    // Every run of the unsharded run's, once over the shards: each (model, prompt, run) in exactly one shard.
    const perShard = shards.map(shard => records(shard.resultsDir).map(runKey))
    expect(perShard.flat().sort()).toEqual(wholeRecords(whole.resultsDir).map(runKey).sort())
    expect(perShard.filter(keys => keys.length > 0).length).toBeGreaterThan(1)
  })

  it('the merge exits 0 and writes the unsharded run\'s leaderboard of the same models: same scores, categories and prompts, ranked in its order', () => {
    expect(merged.code, merged.output).toBe(0)
    expect(merged.stdout).toMatch(/\| Rank +\| Model +\| Score/)
    expect(scores(merged.leaderboard())).toEqual(scores(whole.leaderboard()))
    // Nothing is equal by being absent: both suites are on both boards, with both models, coding-agent with its metrics.
    expect(Object.keys(merged.leaderboard().suites).sort()).toEqual(suiteIds)
    expect(Object.keys(whole.leaderboard().suites)).toEqual(expect.arrayContaining(suiteIds))
    for (const board of [whole.leaderboard(), merged.leaderboard()]) {
      for (const suite of Object.values(board.suites)) {
        expect(suite.models.map(model => model.project).filter(project => sharded.includes(project)), suite.id).toEqual(['oracle', 'baseline'])
      }
      expect(board.suites['coding-agent']?.models.filter(model => sharded.includes(model.project)).map(model => [model.project, model.agent?.taskCount])).toEqual([['oracle', 23], ['baseline', 23]])
    }
    // The merge ranks the two it has, in the unsharded run's order.
    for (const suite of Object.values(merged.leaderboard().suites)) {
      expect(suite.models.map(model => [model.project, model.rank]), suite.id).toEqual([['oracle', 1], ['baseline', 2]])
    }
  })

  it('the merge records every run once, under its own run id, with its transcript, and renders the HTML page', () => {
    const mergedRecords = records(merged.resultsDir)
    expect(mergedRecords).toHaveLength(wholeRecords(whole.resultsDir).length)
    const runIds = new Set(mergedRecords.map(({ record }) => record.runId))
    expect(runIds.size).toBe(1)
    expect(mergedRecords.map(runKey).sort()).toEqual(wholeRecords(whole.resultsDir).map(runKey).sort())
    for (const { file, record } of mergedRecords) {
      expect(file).toBe(`${record.project}/${record.runId}.jsonl`)
    }
    const transcripts = readdirSync(join(merged.resultsDir, 'transcripts')).flatMap(project => readdirSync(join(merged.resultsDir, 'transcripts', project)).flatMap(file =>
      readFileSync(join(merged.resultsDir, 'transcripts', project, file), 'utf8').trim().split('\n')))
    expect(transcripts).toHaveLength(mergedRecords.length)
    const html = readFileSync(join(merged.resultsDir, 'leaderboard.html'), 'utf8')
    expect(html).toContain('"checks":[{')
    expect(html).toContain('"transcript":{')
  })

  it('the gate runs on the merged report: MILO_MIN_SCORE fails the merge on a low score, not on an incomplete shard', async () => {
    const gated = await runBench([`--merge-reports=${blobs}`], { MILO_MIN_SCORE: '0.95' })
    expect(gated.code, gated.output).toBe(1)
    expect(gated.stdout).toMatch(/milo-bench gate: FAIL baseline classic: score \d+\.\d% is below the threshold 95\.0%/)
    expect(gated.stdout).not.toContain('incomplete')
    expect(gated.stdout).not.toMatch(/FAIL oracle/)
  }, 120_000)
})

describe('--merge-reports of a custom run', () => {
  const server = useReferenceServer()

  it('names custom\'s row by the endpoint the shard ran against, not by the merging job\'s MILO_BASE_URL; a model the shard skipped gets no row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'milo-blobs-custom-'))
    // opus46 is skipped in the shard (no ANTHROPIC_API_KEY): its tests are in the blob, skipped, and it never ran.
    const shard = await runBench(['--project', 'custom', '--project', 'opus46', 'benchmarks/classic/single-tool.spec.ts', '--reporter=blob', `--outputFile.blob=${join(dir, 'blob-1-1.json')}`, '--reporter=./reporters/leaderboard-reporter.ts'], { MILO_BASE_URL: server.url, MILO_MODEL: 'oracle' })
    expect(shard.code, shard.output).toBe(0)
    // The merge calls no model: its job may name another endpoint (a placeholder) and still define the project.
    const merged = await runBench([`--merge-reports=${dir}`], { MILO_BASE_URL: 'http://127.0.0.1:9/v1', MILO_MODEL: 'oracle' })
    expect(merged.code, merged.output).toBe(0)
    const rows = merged.leaderboard().suites.classic?.models ?? []
    expect(rows.map(row => [row.project, row.endpoint])).toEqual([['custom', endpointOf(server.url)]])
    expect(merged.stdout).toContain('milo-bench: 1 model(s) skipped, nothing scored for them: opus46 (ANTHROPIC_API_KEY is not set')
    expect(records(merged.resultsDir).every(({ record }) => record.model.baseURL === server.url)).toBe(true)
  }, 120_000)

  it('a model one shard skipped and another ran is not listed as skipped in the merge', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'milo-blobs-split-'))
    const blob = (name: string): string[] => ['--reporter=blob', `--outputFile.blob=${join(dir, name)}`, '--reporter=./reporters/leaderboard-reporter.ts']
    const [down, up] = await Promise.all([
      runBench(['--project', 'custom', 'benchmarks/classic/tool-selection.spec.ts', ...blob('blob-1-2.json')], { MILO_BASE_URL: 'http://127.0.0.1:9/v1', MILO_MODEL: 'oracle' }),
      runBench(['--project', 'custom', 'benchmarks/classic/single-tool.spec.ts', ...blob('blob-2-2.json')], { MILO_BASE_URL: server.url, MILO_MODEL: 'oracle' }),
    ])
    expect(down.stdout).toContain('custom (cannot reach http://127.0.0.1:9/v1')
    expect(up.code, up.output).toBe(0)
    const merged = await runBench([`--merge-reports=${dir}`], { MILO_BASE_URL: server.url, MILO_MODEL: 'oracle' })
    expect(merged.leaderboard().suites.classic?.models.map(row => row.project)).toEqual(['custom'])
    expect(merged.stdout).not.toContain('model(s) skipped')
  }, 120_000)
})
