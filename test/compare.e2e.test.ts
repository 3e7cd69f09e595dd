// Comparing runs: the pure comparison on plain leaderboards (deltas, regressed prompts, the fail-closed regression
// gate), then the way users meet it: `npm run compare -- a.json b.json` on two real results files, and a benchmark run
// with MILO_BASELINE that fails when a score dropped.

import type { LeaderboardFile, ModelResult, SuiteBoard } from '../src/core/types.ts'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { compareBoards, main, maxRegressionFromEnv, renderComparison } from '../reporters/compare.ts'
import { sharedReferenceServer } from './support/reference-server.ts'
import { cleanEnv, root, runBench } from './support/run-bench.ts'

/** A model's row: its four prompt scores (s1, s2 single tool; c1, c2 chains), and any field to override. */
type Row = Partial<ModelResult> & { scores?: [number, number, number, number] }

/** A classic-style board (sum of 4 prompts x 3, two categories) with the given models. */
function board(models: Row[], hash = 'h1'): LeaderboardFile {
  const suite: SuiteBoard = {
    id: 'classic',
    title: 'Classic',
    version: '1.0.0',
    hash,
    aggregate: 'sum',
    max: 12,
    taskCount: 4,
    maxPerTask: 3,
    categories: [{ id: 'single', title: 'Single tool' }, { id: 'chain', title: 'Multi-step chains' }],
    models: models.map(model => result(model, hash)),
  }
  return { schema: 1, updatedAt: '2026-01-01T00:00:00.000Z', harness: { version: '0.1.0', vitest: '4.1.12' }, suites: { classic: suite } }
}

function result(model: Row, hash: string): ModelResult {
  const [s1, s2, c1, c2] = model.scores ?? [3, 3, 3, 3]
  const { scores: _scores, ...rest } = model
  return {
    project: 'm',
    name: 'Model',
    model: 'm',
    where: 'local',
    context: '128K',
    rank: 1,
    score: s1 + s2 + c1 + c2,
    max: 12,
    percent: 100 * (s1 + s2 + c1 + c2) / 12,
    avgLatencyMs: 100,
    categories: { single: (s1 + s2) / 2, chain: (c1 + c2) / 2 },
    tasks: {
      s1: { category: 'single', score: s1, runs: [s1] },
      s2: { category: 'single', score: s2, runs: [s2] },
      c1: { category: 'chain', score: c1, runs: [c1] },
      c2: { category: 'chain', score: c2, runs: [c2] },
    },
    complete: true,
    comparable: true,
    hash,
    runs: 4,
    infraErrors: 0,
    retries: 0,
    modelCalls: 8,
    toolCalls: 6,
    toolErrors: 0,
    textToolCalls: 0,
    tokens: { inputTokens: 0, outputTokens: 0 },
    cost: 0,
    endReasons: { final: 4 },
    runId: 'r',
    finishedAt: '2026-01-01T00:00:00.000Z',
    ...rest,
  }
}

describe('compareBoards', () => {
  it('gives per-suite and per-category deltas and lists the prompts that went down, worst first', () => {
    const before = board([{ project: 'a', scores: [3, 3, 3, 3] }, { project: 'b', scores: [3, 2, 1, 1] }])
    const after = board([{ project: 'a', scores: [3, 3, 1, 2] }, { project: 'b', scores: [3, 3, 1, 1] }])
    const comparison = compareBoards(before, after)
    const suite = comparison.suites[0]
    expect(suite?.models.map(model => [model.project, model.delta])).toEqual([['a', -3 / 12], ['b', 1 / 12]])
    expect(suite?.categories).toEqual([
      { id: 'single', title: 'Single tool', cells: [{ project: 'a', before: 3, after: 3 }, { project: 'b', before: 2.5, after: 3 }] },
      { id: 'chain', title: 'Multi-step chains', cells: [{ project: 'a', before: 3, after: 1.5 }, { project: 'b', before: 1, after: 1 }] },
    ])
    expect(suite?.regressions).toEqual([
      { project: 'a', category: 'chain', taskId: 'c1', before: 3, after: 1 },
      { project: 'a', category: 'chain', taskId: 'c2', before: 3, after: 2 },
    ])
    expect(suite?.improvements).toBe(1)
    expect(comparison.failures).toEqual(['a classic: score 100.0% -> 75.0% (−25.0 points of 100) regressed by more than 2.0% of the maximum'])
  })

  it('matches custom by project when each board has one custom row, and by endpoint and model when a board has several', () => {
    const at = (endpoint: string, model: string, scores: [number, number, number, number]): Row => ({ project: 'custom', model, endpoint, scores })
    // One row each side: custom pointed at another model is still compared, as a user switching models expects.
    const switched = compareBoards(board([at('http://a/v1', 'm1', [3, 3, 3, 3])]), board([at('http://a/v1', 'm2', [3, 3, 3, 0])]))
    expect(switched.suites[0]?.models.map(model => [model.project, model.delta])).toEqual([['custom', -3 / 12]])
    // Two endpoints in the results: each row is compared with its own, never with the other endpoint's.
    const before = board([at('http://a/v1', 'm', [3, 3, 3, 3]), at('http://b/v1', 'm', [1, 1, 1, 1])])
    const after = board([at('http://a/v1', 'm', [3, 3, 3, 3]), at('http://b/v1', 'm', [1, 1, 1, 0])])
    const comparison = compareBoards(before, after)
    expect(comparison.suites[0]?.models.map(model => [model.project, model.delta])).toEqual([['custom m @ http://a/v1', 0], ['custom m @ http://b/v1', -1 / 12]])
    expect(comparison.failures).toEqual([expect.stringMatching(/^custom m @ http:\/\/b\/v1 classic: score/)])
  })

  it('lets a drop up to MILO_MAX_REGRESSION pass, and fails one beyond it', () => {
    const before = board([{ project: 'a', scores: [3, 3, 3, 3] }])
    const after = board([{ project: 'a', scores: [3, 3, 3, 2] }]) // -1 of 12 = 8.3%
    expect(compareBoards(before, after, { maxRegression: 0.1 }).failures).toEqual([])
    expect(compareBoards(before, after, { maxRegression: 1 / 12 }).failures).toEqual([])
    expect(compareBoards(before, after, { maxRegression: 0.08 }).failures).toHaveLength(1)
  })

  it('fails closed: an incomplete run fails, and a baseline with nothing comparable fails with the reasons as notes', () => {
    const before = board([{ project: 'a' }])
    expect(compareBoards(before, board([{ project: 'a', complete: false, rank: null }])).failures).toEqual(['a classic: this run is incomplete; it cannot pass a comparison with the baseline'])
    const changed = compareBoards(before, board([{ project: 'a' }], 'h2'))
    expect(changed.notes).toEqual(['a classic: the suite changed since the baseline (hash h1, now h2); not compared: refresh the baseline'])
    expect(changed.failures).toEqual(['no suite score could be compared with the baseline (see the notes): nothing was checked'])
    const fresh = compareBoards(before, board([{ project: 'a' }, { project: 'new', scores: [0, 0, 0, 0] }]))
    expect(fresh.failures).toEqual([])
    expect(fresh.notes).toEqual(['new classic: not in the baseline; not compared'])
  })

  it('gates only the suites a run scored when given them', () => {
    const before = board([{ project: 'a' }, { project: 'b' }])
    const after = board([{ project: 'a', scores: [0, 0, 0, 0] }, { project: 'b' }])
    expect(compareBoards(before, after, { only: new Map([['b', ['classic']]]) }).failures).toEqual([])
    expect(compareBoards(before, after, { only: new Map([['a', ['classic']]]) }).failures).toHaveLength(1)
  })

  it('renders tables, the regressed prompts and the verdict', () => {
    const text = renderComparison(compareBoards(board([{ project: 'a' }]), board([{ project: 'a', scores: [3, 3, 0, 3] }])), { before: 'a.json', after: 'b.json' })
    expect(text).toContain('before: a.json (updated 2026-01-01T00:00:00.000Z)')
    expect(text).toMatch(/\| a +\| 12\.0\/12 \| 9\.0\/12 \| −3\.0 +\| −25\.0% \|/)
    expect(text).toMatch(/\| Multi-step chains \| 3\.00 -> 1\.50 \(−1\.50\) \|/)
    expect(text).toContain('- a chain/c1: 3.00 -> 0.00 (−3.00)')
    expect(text).toContain('(MILO_MAX_REGRESSION): FAIL')
  })

  it('reads MILO_MAX_REGRESSION as a fraction, 0.02 by default, and says how to write it when it is not one', () => {
    expect(maxRegressionFromEnv({})).toBe(0.02)
    expect(maxRegressionFromEnv({ MILO_MAX_REGRESSION: '0.1' })).toBe(0.1)
    expect(() => maxRegressionFromEnv({ MILO_MAX_REGRESSION: '5' })).toThrow(/write 0\.02/)
  })

  it('main: usage errors exit 2 and name what to give', () => {
    const lines: string[] = []
    expect(main([], {}, line => lines.push(line))).toBe(2)
    expect(lines.join('\n')).toMatch(/give two leaderboard\.json files .* or set MILO_BASELINE/)
    lines.length = 0
    expect(main(['/nonexistent/a.json', '/nonexistent/b.json'], {}, line => lines.push(line))).toBe(2)
    expect(lines.join('\n')).toContain('/nonexistent/a.json cannot be read (ENOENT)')
  })
})

/** `npm run compare -- ...args` as a user types it. */
function npmCompare(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null, output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('npm', ['run', '--silent', 'compare', '--', ...args], { cwd: root, env: cleanEnv(env) })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.on('error', reject)
    child.on('close', code => resolvePromise({ code, output }))
  })
}

describe('comparing real runs', () => {
  const server = sharedReferenceServer()
  let good: Awaited<ReturnType<typeof runBench>>
  let flawed: Awaited<ReturnType<typeof runBench>>
  const custom = (model: string, extra: Record<string, string> = {}): Promise<Awaited<ReturnType<typeof runBench>>> =>
    runBench(['--project', 'custom', 'benchmarks/classic'], { MILO_BASE_URL: server.url, MILO_MODEL: model, MILO_CONCURRENCY: '8', ...extra })

  beforeAll(async () => {
    good = await custom('oracle')
    expect(good.code, good.output).toBe(0)
    // The seed's multi-step finding: the first call is right, the follow-up never comes.
    flawed = await custom('oracle,flaw=stop-after-first', { MILO_BASELINE: join(good.resultsDir, 'leaderboard.json') })
  }, 600_000)

  it('a run with MILO_BASELINE fails when a suite score dropped by more than MILO_MAX_REGRESSION, naming it', () => {
    expect(flawed.code, flawed.output).toBe(1)
    expect(flawed.stdout).toMatch(/milo-bench gate: FAIL baseline custom classic: score 100\.0% -> \d+\.\d% \(−\d+\.\d points of 100\) regressed by more than 2\.0% of the maximum/)
    expect(flawed.stdout).toContain('Prompts that regressed (')
  })

  it('a run with MILO_BASELINE passes when nothing dropped', async () => {
    const again = await custom('oracle', { MILO_BASELINE: join(good.resultsDir, 'leaderboard.json') })
    expect(again.code, again.output).toBe(0)
    expect(again.stdout).toContain('milo-bench gate: pass')
  }, 120_000)

  it('npm run compare -- a.json b.json prints the deltas and the regressed prompts, and exits 1', async () => {
    const { code, output } = await npmCompare([join(good.resultsDir, 'leaderboard.json'), join(flawed.resultsDir, 'leaderboard.json')])
    expect(code, output).toBe(1)
    const before = good.leaderboard().suites.classic?.models[0]
    const after = flawed.leaderboard().suites.classic?.models[0]
    expect(output).toMatch(new RegExp(`\\| custom \\| ${before?.score.toFixed(1)}/60 \\| ${after?.score.toFixed(1)}/60 \\| −`))
    const lost = Object.entries(after?.tasks ?? {}).filter(([id, task]) => (task.score ?? 0) < (before?.tasks[id]?.score ?? 0))
    expect(lost.length).toBeGreaterThan(0)
    for (const [id, task] of lost) {
      expect(output).toContain(`- custom ${task.category}/${id}: 3.00 -> ${task.score?.toFixed(2)}`)
    }
    expect(output).toContain('Regression gate: a suite score may drop by at most 2.0% of its maximum (MILO_MAX_REGRESSION): FAIL')
  }, 60_000)

  it('npm run compare exits 0 when the drop is within MILO_MAX_REGRESSION, and compares against MILO_BASELINE by default', async () => {
    const within = await npmCompare([join(good.resultsDir, 'leaderboard.json'), join(flawed.resultsDir, 'leaderboard.json')], { MILO_MAX_REGRESSION: '1' })
    expect(within.code, within.output).toBe(0)
    const byBaseline = await npmCompare([join(good.resultsDir, 'leaderboard.json')], { MILO_BASELINE: join(flawed.resultsDir, 'leaderboard.json') })
    expect(byBaseline.code, byBaseline.output).toBe(0)
    expect(byBaseline.output).toContain(`before: ${join(flawed.resultsDir, 'leaderboard.json')}`)
  }, 60_000)
})
