// The leaderboard reporter (main process): turns benchmark test outcomes into run records (appended as each test
// ends), suite scores, the merged leaderboard (printed and written as JSON, Markdown and HTML) and the CI gate's
// verdict, which decides the exit code.

import type { Reporter, SerializedError, TestCase, TestModule, TestRunEndReason, Vitest } from 'vitest/node'
import type { GatePolicy } from '../src/gate.ts'
import type { TestOutcome } from '../src/scoring.ts'
import type { BenchTestMeta, HarnessStamp, LeaderboardFile, ModelResult, ModelSpec, Preflight, RecordedModel, RunRecord } from '../src/types.ts'
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stamps, suites } from '../fixtures/suites.ts'
import { evaluateGate } from '../src/gate.ts'
import { mergeLeaderboard } from '../src/leaderboard.ts'
import { scoreRun, summarize } from '../src/scoring.ts'
import { baselineVerdict } from './compare.ts'
import { appendStepSummary } from './github-summary.ts'
import { writeHtml } from './html.ts'
import { writeRunsCsv } from './runs-csv.ts'
import { renderSuite } from './tables.ts'
import { appendTranscripts } from './transcripts.ts'

export interface LeaderboardReporterOptions {
  /** Where results go (default `results`, or MILO_RESULTS_DIR). */
  outputDir?: string
  /** Score thresholds for the CI gate; MILO_MIN_SCORE adds `minScore`. */
  gate?: GatePolicy
  /**
   * `scores` (default): in `vitest run`, the exit code is the gate's verdict (0 without a gate), so a prompt a model
   * fails is a result, not an error; unhandled errors, failed spec files and interruptions still exit 1.
   * `vitest`: leave Vitest's exit code alone (1 when any prompt failed).
   */
  exitCode?: 'scores' | 'vitest'
  /** Print the tables (default true). */
  print?: boolean
}

const require = createRequire(import.meta.url)

function harnessStamp(): HarnessStamp {
  const read = (path: string): string => (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version
  return { version: read(fileURLToPath(new URL('../package.json', import.meta.url))), vitest: read(require.resolve('vitest/package.json')) }
}

function recordedModel(spec: ModelSpec): RecordedModel {
  const { key, name, model, baseURL, server, where, context, params, price, stream, lenientTextToolCalls } = spec
  return { key, name, model, baseURL, server, where, context, ...(params ? { params } : {}), ...(price ? { price } : {}), ...(stream ? { stream } : {}), ...(lenientTextToolCalls ? { lenientTextToolCalls } : {}) }
}

/** The gate from options and the environment: MILO_MIN_SCORE is a fraction 0..1 of each suite's maximum. */
export function gateFromEnv(base: GatePolicy | undefined, env: Record<string, string | undefined>): GatePolicy {
  const raw = env.MILO_MIN_SCORE
  if (raw === undefined || raw === '') {
    return base ?? {}
  }
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`MILO_MIN_SCORE=${raw} is not a fraction between 0 and 1 (for 90%, write 0.9)`)
  }
  return { ...base, minScore: value }
}

export default class LeaderboardReporter implements Reporter {
  private vitest!: Vitest
  private readonly options: LeaderboardReporterOptions
  /** The last result of every benchmark test, by test id: survives partial reruns in watch mode and the UI. */
  private readonly outcomes = new Map<string, TestOutcome>()
  /** Projects whose tests were all skipped before running, with the reason. */
  private readonly skippedProjects = new Map<string, string>()
  private runId = ''
  private harness: HarnessStamp | undefined
  private ranProjects = new Set<string>()

  constructor(options: LeaderboardReporterOptions = {}) {
    this.options = options
  }

  private get outputDir(): string {
    return resolve(this.vitest.config.root, this.options.outputDir ?? process.env.MILO_RESULTS_DIR ?? 'results')
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest
    this.harness = harnessStamp()
  }

  onTestRunStart(): void {
    this.runId = new Date().toISOString().replace(/[:.]/g, '-')
    this.ranProjects = new Set()
  }

  onTestCaseResult(testCase: TestCase): void {
    const meta = testCase.meta() as Partial<BenchTestMeta>
    if (meta.suite === undefined || meta.category === undefined || meta.taskId === undefined) {
      return
    }
    const result = testCase.result()
    const project = testCase.project.name
    this.ranProjects.add(project)
    if (result.state === 'pending' || (result.state === 'skipped' && meta.skipReason === undefined)) {
      return // filtered out (-t, a single-test rerun in the UI): keep the previous result
    }
    const spec = testCase.project.getProvidedContext().model
    // `preflight` comes from the global setup, which does not run under --merge-reports: only `model` is provided there.
    const preflight = testCase.project.getProvidedContext().preflight as Preflight | undefined
    if (preflight && !preflight.ok) {
      this.skippedProjects.set(project, preflight.reason ?? 'endpoint unavailable')
      return
    }
    const model = recordedModel(spec)
    const stamp = meta.stamp ?? stamps.get(meta.suite)
    const finishedAt = new Date().toISOString()
    const outcome: TestOutcome = {
      project,
      model,
      suite: meta.suite,
      hash: stamp?.hash ?? '',
      category: meta.category,
      taskId: meta.taskId,
      maxScore: meta.maxScore ?? 1,
      points: meta.points ?? 1,
      runs: meta.runs ?? [],
      ...(result.state === 'skipped' ? { skipped: meta.skipReason ?? 'skipped' } : {}),
      runId: this.runId,
      finishedAt,
    }
    this.outcomes.set(testCase.id, outcome)
    this.appendRecords(testCase, outcome, finishedAt)
    appendTranscripts(this.outputDir, this.runId, outcome, testCase)
  }

  /** One JSON line per run, appended now, so a crash or Ctrl-C later loses nothing finished. */
  private appendRecords(testCase: TestCase, outcome: TestOutcome, recordedAt: string): void {
    if (outcome.runs.length === 0 || !this.harness) {
      return
    }
    const suite = stamps.get(outcome.suite)
    const lines = outcome.runs.map((run): RunRecord => ({
      schema: 1,
      runId: this.runId,
      project: outcome.project,
      model: outcome.model,
      suite: { id: outcome.suite, version: suite?.version ?? '', hash: outcome.hash },
      category: outcome.category,
      taskId: outcome.taskId,
      testId: testCase.id,
      repeat: run.repeat,
      score: scoreRun(run, outcome.maxScore, outcome.points),
      maxScore: outcome.maxScore,
      points: outcome.points,
      checks: run.checks,
      endReason: run.endReason,
      ...(run.error ? { error: run.error } : {}),
      calls: run.calls,
      toolCalls: run.toolCalls,
      textToolCalls: run.textToolCalls,
      latencyMs: run.latencyMs,
      usage: run.usage,
      retries: run.retries,
      ...(run.cached ? { cached: true } : {}),
      ...(run.sandbox ? { sandbox: run.sandbox } : {}),
      harness: this.harness as HarnessStamp,
      recordedAt,
    }))
    const dir = join(this.outputDir, 'runs', outcome.project)
    mkdirSync(dir, { recursive: true })
    appendFileSync(join(dir, `${this.runId}.jsonl`), `${lines.map(line => JSON.stringify(line)).join('\n')}\n`)
  }

  /** Exports beside leaderboard.json for other tools: runs.csv, every run behind the board, one row each. */
  private writeExports(dir: string, board: LeaderboardFile): void {
    writeRunsCsv(dir, board)
  }

  private readPrevious(path: string): LeaderboardFile | undefined {
    try {
      const file = JSON.parse(readFileSync(path, 'utf8')) as LeaderboardFile
      return file.schema === 1 ? file : undefined
    }
    catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.vitest.logger.log(`milo-bench: ${path} could not be read (${(error as Error).message}); starting a new leaderboard`)
      }
      return undefined
    }
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const log = (line = ''): void => {
      if (this.options.print !== false) {
        this.vitest.logger.log(line)
      }
    }
    const groups = new Map<string, TestOutcome[]>()
    for (const outcome of this.outcomes.values()) {
      const key = `${outcome.suite}\u0000${outcome.project}`
      groups.set(key, [...(groups.get(key) ?? []), outcome])
    }
    // The suites' content as the workers last saw it: in watch mode an edited prompt changes a suite's hash after this
    // process imported it, and every result of the rerun is scored against the new content.
    const current = new Map(stamps)
    for (const outcome of [...this.outcomes.values()].sort((a, b) => a.finishedAt.localeCompare(b.finishedAt))) {
      const known = current.get(outcome.suite)
      if (known && outcome.hash !== '') {
        current.set(outcome.suite, { ...known, hash: outcome.hash })
      }
    }
    const fresh = new Map<string, ModelResult[]>()
    const ranSuites = new Map<string, string[]>([...this.ranProjects].map(project => [project, []]))
    for (const outcomes of groups.values()) {
      const first = outcomes[0]
      const suite = suites.find(s => s.id === first?.suite)
      const stamp = suite && current.get(suite.id)
      if (!first || !suite || !stamp) {
        continue
      }
      fresh.set(suite.id, [...(fresh.get(suite.id) ?? []), summarize(suite, stamp.hash, outcomes)])
      if (this.ranProjects.has(first.project)) {
        ranSuites.get(first.project)?.push(suite.id)
      }
    }
    const dir = this.outputDir
    mkdirSync(dir, { recursive: true })
    const boardPath = join(dir, 'leaderboard.json')
    const { board, notes } = mergeLeaderboard(this.readPrevious(boardPath), fresh, suites, current, new Date().toISOString(), this.harness ?? { version: '', vitest: '' })
    writeFileSync(boardPath, `${JSON.stringify(board, null, 2)}\n`)
    const markdown = Object.values(board.suites).map(renderSuite).join('\n\n')
    writeFileSync(join(dir, 'leaderboard.md'), `# milo-bench leaderboard\n\nUpdated ${board.updatedAt}.\n\n${markdown}\n`)
    writeHtml(dir, board)
    this.writeExports(dir, board)

    log()
    for (const suiteBoard of Object.values(board.suites)) {
      if (fresh.has(suiteBoard.id)) {
        log(renderSuite(suiteBoard))
        log()
      }
    }
    for (const note of notes) {
      log(`milo-bench: ${note}`)
    }
    if (fresh.size > 0) {
      log(`milo-bench: results in ${dir} (leaderboard.json, leaderboard.md, leaderboard.html, runs.csv, runs/, transcripts/)`)
    }
    const skipped = new Map(this.skippedProjects)
    this.skippedProjects.clear()
    if (this.vitest.config.watch) {
      return
    }
    const policy = gateFromEnv(this.options.gate, process.env)
    // A shard holds part of every suite by design: its gate (and baseline check) runs on the merged report instead.
    const shard = this.vitest.config.shard
    // Gates judge what this run scored, never an earlier complete run the leaderboard keeps in its place.
    const scored = Object.fromEntries([...fresh].flatMap(([id, results]) => {
      const suiteBoard = board.suites[id]
      return suiteBoard ? [[id, { ...suiteBoard, models: results }]] : []
    }))
    const gate = shard ? { ok: true, failures: [], active: false } : evaluateGate(policy, scored, ranSuites, skipped)
    const baseline = shard ? { active: false, failures: [] } : baselineVerdict(process.env, { ...board, suites: scored }, ranSuites, this.vitest.config.root)
    const verdict = { ok: gate.ok && baseline.failures.length === 0, active: gate.active || baseline.active, failures: [...gate.failures, ...baseline.failures] }
    if (shard) {
      log(`milo-bench: shard ${shard.index}/${shard.count}: gates run on the merged report (vitest run --merge-reports)`)
    }
    if (baseline.report) {
      log(baseline.report)
    }
    for (const failure of verdict.failures) {
      log(`milo-bench gate: FAIL ${failure}`)
    }
    if (verdict.active && verdict.ok) {
      log('milo-bench gate: pass')
    }
    if (!shard) {
      appendStepSummary(process.env, board, [...fresh.keys()], { ...verdict, ...(baseline.report ? { baselineReport: baseline.report } : {}) })
    }
    if ((this.options.exitCode ?? 'scores') === 'vitest') {
      if (!verdict.ok) {
        process.exitCode = 1
      }
      return
    }
    const brokenModules = testModules.some(module => module.errors().length > 0)
    if (reason === 'interrupted' || unhandledErrors.length > 0 || brokenModules || !verdict.ok) {
      process.exitCode = 1
    }
    else {
      process.exitCode = 0
    }
  }
}
