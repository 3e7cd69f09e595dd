// The benchmark as users run it: `vitest run --project ...` in a child process against the embedded reference server,
// checking exit codes, the printed tables and the files written.

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { classic as classicSuite, suites } from '../fixtures/suites.ts'
import type { BenchRun } from './support/run-bench.ts'
import { runBench } from './support/run-bench.ts'
import { startFaultServer } from './support/fault-server.ts'
import { sharedReferenceServer } from './support/reference-server.ts'
import { sharedRun } from './support/shared-runs.ts'

describe.concurrent('npm run bench: the four reference models on the embedded server', () => {
  let run: BenchRun
  beforeAll(async () => {
    // The whole benchmark, as the README's first command runs it (shared with the HTML, shard, classic and coding-agent
    // tests): minutes on a loaded two-core machine.
    run = await sharedRun('bench')
  }, 600_000)

  it('exits 0 although baseline fails prompts', () => {
    expect(run.code, run.output).toBe(0)
  })

  it('prints a progress line every 40th test in a CI log (the script\'s MILO_PROGRESS=40, stdout a pipe)', () => {
    const tests = 4 * suites.reduce((n, suite) => n + suite.runs * suite.categories.reduce((m, c) => m + c.tasks.length, 0), 0)
    const lines = run.stdout.split('\n').filter(line => line.startsWith('milo-bench ▸ '))
    // every 40th, and the last; a few more where a line falls while spec files are still being collected (the total
    // is not known yet, so a test can look like the last)
    expect(lines.length).toBeGreaterThanOrEqual(Math.floor(tests / 40))
    expect(lines.length).toBeLessThan(tests / 10)
  })

  it('prints the tables of every suite: oracle and paraphrase at 100%, confabulator at most 70% on classic and v1, baseline lowest', () => {
    for (const suite of suites) {
      expect(run.stdout).toContain(`## ${suite.title}`)
    }
    expect(run.stdout).toMatch(/\| Rank +\| Model +\| Score +\| 95% CI +\| % +\| Avg Latency \| Context \| Where +\|/)
    // oracle and paraphrase tie at the top; a tie is ordered by latency, which varies from run to run.
    expect(run.stdout).toMatch(/\| Category +\| (oracle \| paraphrase|paraphrase \| oracle) \| confabulator \| baseline \|/)
    const classicMax = classicSuite.categories.reduce((n, c) => n + c.tasks.length, 0) * classicSuite.maxScore
    // full marks on every prompt of every run: the bootstrap has nothing to resample but the maximum
    expect(run.stdout).toMatch(new RegExp(`🥇 +\\| oracle \\(reference solution\\) +\\| ${classicMax}\\.0/${classicMax} +\\| ${classicMax}\\.0–${classicMax}\\.0( ≈)? +\\| 100\\.0%`))
    const board = run.leaderboard()
    for (const suite of suites) {
      const models = board.suites[suite.id]?.models ?? []
      const model = (project: string) => models.find(m => m.project === project)
      for (const project of ['oracle', 'paraphrase']) {
        expect(model(project), `${suite.id} ${project}`).toMatchObject({ rank: 1, percent: 100, complete: true })
        for (const category of suite.categories) {
          expect(model(project)?.categories[category.id], `${suite.id} ${project} ${category.id}`).toBe(suite.maxScore)
        }
      }
      if (suite.id !== 'coding-agent') {
        expect(model('confabulator')?.percent, suite.id).toBeLessThanOrEqual(70)
      }
      expect(model('baseline')?.percent, suite.id).toBeLessThan(model('confabulator')?.percent ?? 0)
      expect(models.at(-1)?.project, suite.id).toBe('baseline')
    }
  })

  it('writes leaderboard.json with the documented fields, leaderboard.md and one raw record per run', () => {
    const board = run.leaderboard()
    const classic = board.suites.classic
    expect(classic?.max).toBe(classic?.taskCount ? classic.taskCount * 3 : -1)
    for (const model of classic?.models ?? []) {
      expect(Object.keys(model)).toEqual(expect.arrayContaining(['project', 'rank', 'score', 'percent', 'avgLatencyMs', 'categories', 'complete', 'repeats', 'interval']))
      // pass^1..pass^3 over classic's three runs, and an interval around the score
      expect(model.repeats?.passK).toHaveLength(3)
      expect(model.interval?.low).toBeLessThanOrEqual(model.score)
      expect(model.interval?.high).toBeGreaterThanOrEqual(model.score)
    }
    expect(readFileSync(join(run.resultsDir, 'runs.csv'), 'utf8').split('\r\n')[0]).toMatch(/^project,model,model_id,endpoint,suite,category,task,run,score,max,/)
    expect(readFileSync(join(run.resultsDir, 'leaderboard.md'), 'utf8')).toContain('| Rank')
    const files = readdirSync(join(run.resultsDir, 'runs', 'oracle'))
    const records = files.flatMap(file => readFileSync(join(run.resultsDir, 'runs', 'oracle', file), 'utf8').trim().split('\n').map(line => JSON.parse(line) as Record<string, unknown>))
    const expected = suites.reduce((n, suite) => n + suite.runs * suite.categories.reduce((m, c) => m + c.tasks.length, 0), 0)
    expect(records).toHaveLength(expected)
    expect(records[0]).toMatchObject({ schema: 1, project: 'oracle', suite: { id: expect.any(String), version: expect.stringMatching(/^\d+\.\d+\.\d+$/), hash: expect.stringMatching(/^[0-9a-f]{16}$/) }, harness: { vitest: '4.1.12' } })
    // Each record carries its own suite's version (suites are versioned apart: v1 is 2.0.0).
    for (const record of records as { suite: { id: string, version: string } }[]) {
      expect(record.suite.version, record.suite.id).toBe(suites.find(suite => suite.id === record.suite.id)?.version)
    }
    expect((records[0]?.checks as unknown[]).length).toBeGreaterThan(0)
  })
})

describe.concurrent('the CI gate', () => {
  // A score under the threshold (exit 1, one line naming project, suite, score and threshold): test/ci.e2e.test.ts.
  // One complete run of classic, for both tests below.
  let passing: Promise<BenchRun>
  beforeAll(() => {
    passing = runBench(['--project', 'oracle', 'benchmarks/classic'], { MILO_MIN_SCORE: '0.99' })
  })
  it('exits 0 when every score meets it', async () => {
    const run = await passing
    expect(run.code, run.output).toBe(0)
    expect(run.stdout).toContain('milo-bench gate: pass')
    // The config's reporters, stdout not a terminal, MILO_PROGRESS unset: no progress lines.
    expect(run.stdout).not.toContain('milo-bench ▸')
  })
  it('fails closed on a partial run (one spec file of a suite)', async () => {
    const run = await passing
    // classic ran whole; v1 did not run at all, so only classic is gated
    expect(run.code, run.output).toBe(0)
    // Into the same results folder: the leaderboard keeps the complete run, but the gate judges this partial one, at a
    // threshold the oracle's score clears, so incompleteness alone fails it.
    const partial = await runBench(['--project', 'oracle', 'benchmarks/classic', '-t', 'weather'], { MILO_MIN_SCORE: '0.5' }, run.resultsDir)
    expect(partial.code).toBe(1)
    expect(partial.stdout).toMatch(/FAIL oracle classic: incomplete run/)
  })
})

describe.concurrent('any OpenAI-compatible endpoint, and bad input', () => {
  const server = sharedReferenceServer()

  it('MILO_BASE_URL + MILO_MODEL add a project named custom', async () => {
    const run = await runBench(['--project', 'custom', 'benchmarks/classic/single-tool.spec.ts'], { MILO_BASE_URL: server.url, MILO_MODEL: 'oracle' })
    expect(run.code, run.output).toBe(0)
    // One category of classic, every prompt of it at full marks.
    expect(run.leaderboard().suites.classic?.models[0]).toMatchObject({ project: 'custom', name: `custom (oracle @ ${new URL(server.url).host})`, categories: { 'single-tool': 3 }, complete: false, where: 'local' })
  })

  it('an unknown --project gets one line listing the models, no stack trace', async () => {
    const run = await runBench(['--project', 'opus47'])
    expect(run.code).toBe(1)
    expect(run.output).toContain('milo-bench: no model \'opus47\' in fixtures/models.ts; known: oracle, paraphrase, confabulator, baseline,')
    expect(run.output).not.toMatch(/\n\s+at /)
  })

  it('a missing key and an unreachable server are a line each, naming the variable and the URL; both projects are skipped, and with nothing scored the run exits 1', async () => {
    const closed = await startFaultServer([])
    const url = closed.url
    await closed.close()
    const run = await runBench(['--project', 'opus46', '--project', 'qwen35'], { MILO_QWEN35_URL: url })
    expect(run.code, run.output).toBe(1)
    expect(run.output.match(/opus46: skipped: ANTHROPIC_API_KEY is not set/g)).toHaveLength(1)
    expect(run.output.match(new RegExp(`qwen35: skipped: cannot reach ${url.replace(/[.]/g, '\\.')} \\(ECONNREFUSED\\)`, 'g'))).toHaveLength(1)
    expect(run.output).toContain('milo-bench: nothing was scored: every selected model was skipped')
    expect(existsSync(join(run.resultsDir, 'runs', 'qwen35'))).toBe(false)
    expect(run.output).not.toMatch(/\n\s+at /)
  })

  it('a skipped model beside a scored one: the run exits 0 and ends with the list of those skipped', async () => {
    const run = await runBench(['--project', 'opus46', '--project', 'oracle', 'benchmarks/classic/single-tool.spec.ts'])
    expect(run.code, run.output).toBe(0)
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('milo-bench: 1 model(s) skipped, nothing scored for them: opus46 (ANTHROPIC_API_KEY is not set (put it in .env; see .env.example))')
  })

  it('malformed model output is recorded and scored, never a crash', async () => {
    const bad = { id: 'x', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: '', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Par' } }] }, finish_reason: 'tool_calls' }] }
    const replies = Array.from({ length: 200 }, () => ({ reply: bad }))
    const fault = await startFaultServer(replies, bad)
    try {
      const run = await runBench(['--project', 'custom', 'benchmarks/classic'], { MILO_BASE_URL: fault.url, MILO_MODEL: 'broken' })
      expect(run.code, run.output).toBe(0)
      const result = run.leaderboard().suites.classic?.models[0]
      expect(result?.complete).toBe(true)
      expect(result?.score).toBeLessThan(result?.max ?? 0)
      expect(result?.endReasons.step_cap).toBeGreaterThan(0)
    }
    finally {
      await fault.close()
    }
  })
})
