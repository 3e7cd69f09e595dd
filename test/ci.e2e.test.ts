// CI output beside ours: the reporters given on the command line (which replaces the config's list) with Vitest's JSON
// reporter and its JUnit reporter (ours, naming each testcase's model), the GitHub step summary, the progress lines and
// the progress bar; plus their pure parts on plain data.

import type { BenchRun } from './support/run-bench.ts'
import type { LeaderboardFile } from '../src/core/types.ts'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { summaryMarkdown } from '../reporters/github-summary.ts'
import { projectTestName } from '../reporters/junit-reporter.ts'
import { formatDuration, progressBar, progressEvery, progressLine, progressMode } from '../reporters/progress-reporter.ts'
import { progressSetting } from '../src/node/settings.ts'
import { runBench } from './support/run-bench.ts'

describe('vitest run --reporter=default --reporter=<ours by path> --reporter=<our junit> --reporter=json, on GitHub Actions', () => {
  let run: BenchRun
  let ungated: BenchRun
  let out: string
  let ungatedOut: string

  /** The README's CI command line: Vitest's reporters beside ours, every output file under `dir`. */
  const ciRun = (dir: string, env: Record<string, string>, files: string[]): Promise<BenchRun> => runBench([
    '--project', 'oracle', '--project', 'baseline', ...files,
    '--reporter=default',
    '--reporter=./reporters/leaderboard-reporter.ts',
    '--reporter=./reporters/progress-reporter.ts',
    '--reporter=./reporters/junit-reporter.ts', `--outputFile.junit=${join(dir, 'junit.xml')}`,
    '--reporter=json', `--outputFile.json=${join(dir, 'vitest.json')}`,
  ], { GITHUB_STEP_SUMMARY: join(dir, 'summary.md'), ...env })

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'milo-ci-'))
    ungatedOut = mkdtempSync(join(tmpdir(), 'milo-ci-ungated-'))
    const [gated, plain] = await Promise.all([
      // the whole suite, for a gate that judges scores (a partial run fails a gate for being partial)
      ciRun(out, { MILO_MIN_SCORE: '0.5', MILO_PROGRESS: '1' }, ['benchmarks/classic']),
      // one category, where the baseline fails prompts too
      ciRun(ungatedOut, {}, ['benchmarks/classic/single-tool.spec.ts']),
    ])
    run = gated
    ungated = plain
  }, 600_000)

  it('our reporter, loaded by path with no options, writes the results and owns the exit code (the gate fails)', () => {
    expect(run.code, run.output).toBe(1)
    expect(run.stdout).toMatch(/milo-bench gate: FAIL baseline classic: score \d+\.\d% is below the threshold 50\.0%/)
    for (const file of ['leaderboard.json', 'leaderboard.md', 'leaderboard.html']) {
      expect(existsSync(join(run.resultsDir, file)), file).toBe(true)
    }
  })

  it('with the same reporters and no gate, the run exits 0 although Vitest counts failed tests (the baseline\'s lost prompts)', () => {
    expect(ungated.code, ungated.output).toBe(0)
    expect(ungated.stdout).not.toContain('milo-bench gate')
    // Vitest alone would exit 1 here: its own JSON report has failed tests, so the 0 is our reporter's verdict.
    const json = JSON.parse(readFileSync(join(ungatedOut, 'vitest.json'), 'utf8')) as { numFailedTests: number, success: boolean }
    expect(json.numFailedTests).toBeGreaterThan(0)
    expect(json.success).toBe(false)
    expect(ungated.leaderboard().suites.classic?.models.map(model => model.project)).toEqual(['oracle', 'baseline'])
  })

  it('Vitest\'s JUnit and JSON reporters still write every test', () => {
    const json = JSON.parse(readFileSync(join(out, 'vitest.json'), 'utf8')) as { numTotalTests: number }
    // one test per run of a prompt
    const tests = (run.leaderboard().suites.classic?.models ?? []).reduce((n, model) => n + Object.values(model.tasks).reduce((m, task) => m + task.runs.length, 0), 0)
    expect(json.numTotalTests).toBe(tests)
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8')
    expect(junit).toMatch(new RegExp(`<testsuites name="vitest tests" tests="${tests}"`))
    expect(junit.match(/<testcase /g)).toHaveLength(tests)
  })

  it('names every JUnit testcase with its model first, so the oracle\'s and the baseline\'s never share a name', () => {
    const names = [...readFileSync(join(out, 'junit.xml'), 'utf8').matchAll(/<testcase classname="[^"]*" name="([^"]*)"/g)].map(match => match[1] ?? '')
    expect(names.length).toBeGreaterThan(0)
    expect(new Set(names).size).toBe(names.length)
    const byModel = (project: string): string[] => names.filter(name => name.startsWith(`${project} &gt; `)).map(name => name.slice(`${project} &gt; `.length)).sort()
    expect(byModel('oracle').length + byModel('baseline').length).toBe(names.length)
    // the same tests, told apart by the model alone: "oracle > Single tool > weather-paris > run 1"
    expect(byModel('oracle')).toEqual(byModel('baseline'))
    expect(byModel('oracle').every(name => /^[\w -]+ &gt; [\w-]+ &gt; run [1-3]$/.test(name))).toBe(true)
  })

  it('appends the leaderboard and the gate\'s verdict to GITHUB_STEP_SUMMARY as Markdown', () => {
    const summary = readFileSync(join(out, 'summary.md'), 'utf8')
    expect(summary).toContain('# milo-bench')
    expect(summary).toContain('Gate: **FAIL**')
    expect(summary).toMatch(/- baseline classic: score \d+\.\d% is below the threshold 50\.0%/)
    expect(summary).toMatch(/\| Rank +\| Model +\| Score +\| 95% CI +\| % +\| Avg Latency/)
    expect(summary).toContain('## Milo-Bench classic')
  })

  it('prints one progress line per finished run with the model, suite, category, prompt and what is left', () => {
    const lines = run.stdout.split('\n').filter(line => line.startsWith('milo-bench ▸'))
    const board = run.leaderboard().suites.classic
    const runs = Object.values(board?.models[0]?.tasks ?? {}).reduce((n, task) => n + task.runs.length, 0)
    expect(lines).toHaveLength(2 * runs)
    expect(lines.at(-1)).toMatch(new RegExp(`· all ${2 * runs}/${2 * runs} \\(0 left\\) · classic › `))
    expect(lines.some(line => /^milo-bench ▸ baseline \d+\/\d+\+? · all \d+\/\d+\+?( \(\d+ left\))? · classic › [\w -]+ › [\w-]+ run [1-3]: \d\.\d\d\/3$/.test(line))).toBe(true)
  })
})

describe('the progress bar, as `npm run bench` draws it on a terminal (forced here with MILO_PROGRESS=bar: stdout is a pipe)', () => {
  it('redraws one line in place with done/total and an ETA, and ends it before the tables', async () => {
    const run = await runBench([
      '--project', 'oracle', '--project', 'baseline', 'benchmarks/classic/single-tool.spec.ts',
      '--reporter=./reporters/progress-reporter.ts', '--reporter=./reporters/leaderboard-reporter.ts',
    ], { MILO_PROGRESS: 'bar' })
    expect(run.code, run.output).toBe(0)
    const runs = Object.values(run.leaderboard().suites.classic?.models ?? []).reduce((n, model) => n + Object.values(model.tasks).reduce((m, task) => m + task.runs.length, 0), 0)
    expect(run.stdout).not.toContain('milo-bench ▸')
    const frames = run.stdout.split('\r\x1B[2K').slice(1)
    expect(frames.length).toBeGreaterThan(0)
    expect(run.stdout.slice(0, run.stdout.indexOf('\r\x1B[2K')).trim()).toBe('')
    for (const frame of frames.slice(0, -1)) {
      // redrawn in place: no line end until the last frame, and never wider than the terminal (80 columns on a pipe)
      expect(frame).not.toContain('\n')
      expect(frame.length).toBeLessThan(80)
      expect(frame).toMatch(/^milo-bench \[[█░]{20}\] \d+\/\d+\+? \d+% · \d+\.\d\/s · ETA (–|≥?\d+s|≥?\d+m \d\ds)/)
    }
    const last = frames.at(-1) ?? ''
    expect(last).toMatch(new RegExp(`^milo-bench \\[█{20}\\] ${runs}/${runs} 100% · \\d+\\.\\d/s · ETA 0s · [^\n]{0,40}\n`))
    // the leaderboard follows on a line of its own
    expect(last.split('\n').slice(1).join('\n')).toContain('## Milo-Bench classic')
  })
})

describe('the step summary and progress lines, on plain data', () => {
  const board: LeaderboardFile = { schema: 1, updatedAt: 'now', harness: { version: '0.1.0', vitest: '4.1.12' }, suites: {} }

  it('says when no gate was set, and includes the baseline comparison when there is one', () => {
    expect(summaryMarkdown(board, [], { active: false, ok: true, failures: [] })).toContain('Gate: no gate set')
    const text = summaryMarkdown(board, [], { active: true, ok: true, failures: [], baselineReport: 'Regression gate: pass' })
    expect(text).toContain('Gate: **pass**')
    expect(text).toContain('<details><summary>Comparison with the baseline</summary>')
  })

  it('prints on a terminal by default, never when off, and every Nth test when asked', () => {
    expect(progressEvery(progressSetting({}), true)).toBe(1)
    expect(progressEvery(progressSetting({}), false)).toBe(0)
    expect(progressEvery(progressSetting({ MILO_PROGRESS: '0' }), true)).toBe(0)
    expect(progressEvery(progressSetting({ MILO_PROGRESS: '1' }), false)).toBe(1)
    expect(progressEvery(progressSetting({ MILO_PROGRESS: '25' }), false)).toBe(25)
  })

  it('draws a bar on a terminal of its own, lines in CI or under another reporter\'s live window, as MILO_PROGRESS says', () => {
    expect(progressMode(progressSetting({}), true, false)).toEqual({ kind: 'bar' })
    expect(progressMode(progressSetting({}), true, true)).toEqual({ kind: 'lines', every: 1 })
    expect(progressMode(progressSetting({}), false, false)).toEqual({ kind: 'off' })
    // `npm run bench` sets MILO_PROGRESS=40: a bar on a terminal, every 40th line in a CI log
    expect(progressMode(progressSetting({ MILO_PROGRESS: '40' }), true, false)).toEqual({ kind: 'bar' })
    expect(progressMode(progressSetting({ MILO_PROGRESS: '40' }), false, false)).toEqual({ kind: 'lines', every: 40 })
    expect(progressMode(progressSetting({ MILO_PROGRESS: '0' }), true, false)).toEqual({ kind: 'off' })
    expect(progressMode(progressSetting({ MILO_PROGRESS: 'bar' }), false, false)).toEqual({ kind: 'bar' })
    expect(progressMode(progressSetting({ MILO_PROGRESS: 'lines' }), true, false)).toEqual({ kind: 'lines', every: 1 })
  })

  it('fills the bar by the share done, and gives the ETA from the rate so far', () => {
    const last = 'qwen35 classic › Multi-step chains › customer-orders run 2: 1.00/3'
    // 31 of 104 in 10 s: 3.1 a second, 73 left, about 24 s
    expect(progressBar({ done: 31, total: 104, more: false }, 10_000, 200, last))
      .toBe(`milo-bench [██████░░░░░░░░░░░░░░] 31/104 29% · 3.1/s · ETA 24s · ${last}`)
    expect(progressBar({ done: 31, total: 104, more: true }, 10_000, 200)).toBe('milo-bench [██████░░░░░░░░░░░░░░] 31/104+ 29% · 3.1/s · ETA ≥24s')
    expect(progressBar({ done: 0, total: 104, more: false }, 0, 200)).toBe('milo-bench [░░░░░░░░░░░░░░░░░░░░] 0/104 0% · 0.0/s · ETA –')
    expect(progressBar({ done: 104, total: 104, more: false }, 52_000, 200)).toBe('milo-bench [████████████████████] 104/104 100% · 2.0/s · ETA 0s')
    const cut = progressBar({ done: 31, total: 104, more: false }, 10_000, 60, last)
    expect(cut).toHaveLength(59)
    expect(cut.endsWith('…')).toBe(true)
    expect([formatDuration(45_000), formatDuration(185_000), formatDuration(3_720_000)]).toEqual(['45s', '3m 05s', '1h 02m'])
  })

  it('puts the model first in a JUnit name', () => {
    expect(projectTestName('oracle', 'Single tool > weather-paris > run 1')).toBe('oracle > Single tool > weather-paris > run 1')
    expect(projectTestName('', 'a > b')).toBe('a > b')
  })

  it('marks totals that may still grow while spec files are being collected', () => {
    expect(progressLine({ project: 'qwen35', suite: 'classic', category: 'Multi-step chains', taskId: 'order-lookup run 2' }, '2.00/3', { done: 3, total: 10, more: true }, { done: 5, total: 12, more: true }))
      .toBe('milo-bench ▸ qwen35 3/10+ · all 5/12+ · classic › Multi-step chains › order-lookup run 2: 2.00/3')
    expect(progressLine({ project: 'qwen35', suite: 'v1', category: 'Coding', taskId: 'fizzbuzz' }, '1.00/1', { done: 10, total: 10, more: false }, { done: 11, total: 12, more: false }))
      .toBe('milo-bench ▸ qwen35 10/10 · all 11/12 (1 left) · v1 › Coding › fizzbuzz: 1.00/1')
  })
})
