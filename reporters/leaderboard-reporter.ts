// The leaderboard reporter (main process): turns benchmark test outcomes into run records (appended as each test
// ends, capped in size, with no secret in them), suite scores, the merged leaderboard (printed and written as JSON,
// Markdown and HTML, each through a temporary file and a rename) and the exit code: the CI gate's verdict, and never
// 0 when nothing was scored, a strict cache had no recording, or a test ended without a run record.

import type { Reporter, SerializedError, TestCase, TestModule, TestRunEndReason, Vitest } from 'vitest/node'
import type { GatePolicy } from '../src/core/gate.ts'
import type { TestOutcome } from '../src/core/scoring.ts'
import type { Settings } from '../src/protocol.ts'
import type { BenchTestMeta, HarnessStamp, Suite, SuiteStamp, LeaderboardFile, ModelResult, ModelSpec, Preflight, RunMeta, RunRecord } from '../src/core/types.ts'
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeFileAtomic } from '../src/models/atomic-write.ts'
import { recordError } from '../src/models/errors.ts'
import { evaluateGate } from '../src/core/gate.ts'
import { mergeLeaderboard } from '../src/core/leaderboard.ts'
import { recordedModel } from '../src/core/rows.ts'
import { capRunMeta, capText } from '../src/core/record-caps.ts'
import { redact } from '../src/models/redact.ts'
import { scoreRun, summarize } from '../src/core/scoring.ts'
import { registeredSuitesOrNone } from '../src/node/registry.ts'
import { readSettings } from '../src/node/settings.ts'
import { stampOf } from '../src/runtime/stamps.ts'
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
  /** The run's settings as the config parsed them; default: what the config provides, else read from the environment. */
  settings?: Settings
  /** The suites the run may score; default: the ones the config registered (defineBenchConfig). */
  suites?: readonly Suite[]
}

const require = createRequire(import.meta.url)

/** milo-bench's own package.json, from this file in the repository (reporters/) or in the built package (dist/reporters/). */
function ownPackageJson(): string {
  for (const up of ['../package.json', '../../package.json']) {
    const path = fileURLToPath(new URL(up, import.meta.url))
    if (existsSync(path) && (JSON.parse(readFileSync(path, 'utf8')) as { name?: string }).name === 'milo-bench') {
      return path
    }
  }
  throw new Error('milo-bench: cannot find its own package.json')
}

function harnessStamp(): HarnessStamp {
  const read = (path: string): string => (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version
  return { version: read(ownPackageJson()), vitest: read(require.resolve('vitest/package.json')) }
}

/** The gate from options and the settings: `minScore` (MILO_MIN_SCORE) is a fraction 0..1 of each suite's maximum. */
export function gateFromSettings(base: GatePolicy | undefined, settings: Pick<Settings, 'minScore'>): GatePolicy {
  return settings.minScore === undefined ? base ?? {} : { ...base, minScore: settings.minScore }
}

/** A run the harness lost: a test that ended without a run record, recorded in its place as an infrastructure error. */
interface LostRun {
  where: string
  reason: string
}

/** The first line of a test's error, for a one-line reason. */
const firstLine = (text: string): string => text.split('\n').find(line => line.trim() !== '')?.trim() ?? ''

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
  /** Test ids reported in this reporter run. */
  private seen = new Set<string>()
  private lost: LostRun[] = []
  /** Each suite's content as its workers last reported it (a test's own stamp), in watch mode changed by an edit. */
  private readonly workerHashes = new Map<string, string>()
  private loadedSettings: Settings | undefined
  private loadedSecrets: string[] | undefined

  constructor(options: LeaderboardReporterOptions = {}) {
    this.options = options
  }

  /** The settings: given, provided by the config (reporters named on the command line), or read here. */
  private get settings(): Settings {
    this.loadedSettings ??= this.options.settings
      ?? (this.vitest.getProvidedContext() as { settings?: Settings }).settings
      ?? readSettings({}, process.env)
    return this.loadedSettings
  }

  /** The suites this reporter scores: given, or as the config registered them. */
  private get suites(): readonly Suite[] {
    return this.options.suites ?? registeredSuitesOrNone()
  }

  /** Each suite's stamp as this process computes it, by suite id. */
  private get stamps(): ReadonlyMap<string, SuiteStamp> {
    return new Map(this.suites.map(suite => [suite.id, stampOf(suite)]))
  }

  /**
   * The keys of every model in the run, as the main process's environment holds them (`.env` is loaded here too):
   * nothing this reporter writes or prints may contain one, whatever a worker sent.
   */
  private get secrets(): string[] {
    if (!this.loadedSecrets) {
      const names = new Set(['MILO_API_KEY'])
      for (const project of this.vitest.projects) {
        const spec = project.getProvidedContext().model as ModelSpec | undefined
        if (spec?.apiKeyEnv) {
          names.add(spec.apiKeyEnv)
        }
      }
      this.loadedSecrets = [...names].map(name => process.env[name]).filter((value): value is string => typeof value === 'string' && value.length >= 8)
    }
    return this.loadedSecrets
  }

  private get outputDir(): string {
    return resolve(this.vitest.config.root, this.options.outputDir ?? this.settings.resultsDir ?? 'results')
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest
    this.harness = harnessStamp()
  }

  onTestRunStart(): void {
    this.runId = new Date().toISOString().replace(/[:.]/g, '-')
    this.ranProjects = new Set()
    this.seen = new Set()
    this.lost = []
  }

  onTestCaseResult(testCase: TestCase): void {
    this.record(testCase)
  }

  /** Records one benchmark test's outcome: its runs, or, when it ended without one, an infrastructure error in its place. */
  private record(testCase: TestCase, moduleError?: string): void {
    const meta = testCase.meta() as Partial<BenchTestMeta>
    if (meta.suite === undefined || meta.category === undefined || meta.taskId === undefined) {
      return
    }
    const result = testCase.result()
    const project = testCase.project.name
    this.ranProjects.add(project)
    this.seen.add(testCase.id)
    const lostReason = (meta.runs ?? []).length > 0
      ? undefined
      : result.state === 'failed'
        ? firstLine(result.errors?.[0]?.message ?? '') || 'the test failed'
        : moduleError
    if (lostReason === undefined && (result.state === 'pending' || (result.state === 'skipped' && meta.skipReason === undefined))) {
      return // filtered out (-t, a single-test rerun in the UI): keep the previous result
    }
    const spec = testCase.project.getProvidedContext().model
    // `preflight` comes from the global setup, which does not run under --merge-reports: only `model` is provided there,
    // and a shard's skip travels in the test's meta.
    const preflight = testCase.project.getProvidedContext().preflight as Preflight | undefined
    if ((preflight && !preflight.ok) || (result.state === 'skipped' && meta.unavailable === true)) {
      this.skippedProjects.set(project, preflight?.reason ?? meta.skipReason ?? 'endpoint unavailable')
      return
    }
    // The model as the worker that ran the test had it (it travels in the blob a shard writes): under --merge-reports,
    // the merging job's own MILO_BASE_URL or MILO_MODEL would otherwise name `custom`'s row.
    const model = meta.model ?? (spec ? recordedModel(spec) : undefined)
    if (!model) {
      // Only a test that never reached its run, under a config that does not define its project: never a silent loss.
      this.lost.push({ where: `${project} ${meta.suite}/${meta.category}/${meta.taskId} run ${(meta.run ?? 0) + 1}`, reason: `this config defines no model for project ${project} (a --merge-reports job must define every project the shards ran)` })
      return
    }
    const stamp = meta.stamp ?? this.stamps.get(meta.suite)
    if (meta.stamp) {
      this.workerHashes.set(meta.suite, meta.stamp.hash)
    }
    const finishedAt = new Date().toISOString()
    let runs = meta.runs ?? []
    if (lostReason !== undefined) {
      // A test that timed out, crashed its worker or failed before its run finished leaves no run record: it is the
      // harness's failure, never silently lost, never the model's 0.
      const timedOut = /timed out/i.test(lostReason)
      const reason = capText(redact(lostReason, this.secrets), 500)
      runs = [lostRun(meta.run ?? 0, recordError(timedOut ? 'timeout' : 'harness', `the test ended without a run record: ${reason}`, undefined, this.secrets))]
      this.lost.push({ where: `${project} ${meta.suite}/${meta.category}/${meta.taskId} run ${(meta.run ?? 0) + 1}`, reason })
    }
    const outcome: TestOutcome = {
      project,
      model,
      suite: meta.suite,
      hash: stamp?.hash ?? '',
      category: meta.category,
      taskId: meta.taskId,
      maxScore: meta.maxScore ?? 1,
      points: meta.points ?? 1,
      runs,
      ...(result.state === 'skipped' && lostReason === undefined ? { skipped: meta.skipReason ?? 'skipped' } : {}),
      runId: this.runId,
      finishedAt,
    }
    this.outcomes.set(testCase.id, outcome)
    this.appendRecords(testCase, outcome, finishedAt)
    appendTranscripts(this.outputDir, this.runId, outcome, testCase, this.secrets)
  }

  /** One JSON line per run, appended now, so a crash or Ctrl-C later loses nothing finished. */
  private appendRecords(testCase: TestCase, outcome: TestOutcome, recordedAt: string): void {
    if (outcome.runs.length === 0 || !this.harness) {
      return
    }
    const suite = this.stamps.get(outcome.suite)
    const lines = outcome.runs.map((full): RunRecord => {
      // Check messages and errors can quote a model's output: capped, so a record stays under 64 KB (src/core/record-caps.ts).
      const run = capRunMeta(full)
      return {
        schema: 1,
        runId: this.runId,
        project: outcome.project,
        model: outcome.model,
        suite: { id: outcome.suite, version: suite?.version ?? '', hash: outcome.hash },
        category: outcome.category,
        taskId: outcome.taskId,
        testId: testCase.id,
        repeat: run.repeat,
        score: scoreRun(full, outcome.maxScore, outcome.points),
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
      }
    })
    const dir = join(this.outputDir, 'runs', outcome.project)
    mkdirSync(dir, { recursive: true })
    appendFileSync(join(dir, `${this.runId}.jsonl`), redact(`${lines.map(line => JSON.stringify(line)).join('\n')}\n`, this.secrets))
  }

  /** Exports beside leaderboard.json for other tools: runs.csv, every run behind the board, one row each. */
  private writeExports(dir: string, board: LeaderboardFile): void {
    writeRunsCsv(dir, board)
  }

  /**
   * The leaderboard kept so far. A file that cannot be read (cut short by a crash before writes were atomic, edited by
   * hand, another schema) is moved aside with a line saying where, never overwritten: its entries can still be
   * recovered from it.
   */
  private readPrevious(path: string, log: (line: string) => void): LeaderboardFile | undefined {
    let problem: string
    try {
      const file = JSON.parse(readFileSync(path, 'utf8')) as LeaderboardFile
      if (file.schema === 1 && typeof file.suites === 'object' && file.suites !== null) {
        return file
      }
      problem = `schema ${JSON.stringify(file.schema)}, not 1`
    }
    catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined
      }
      problem = (error as Error).message
    }
    let aside = `${path}.unreadable-${this.runId}`
    for (let n = 2; existsSync(aside); n++) {
      aside = `${path}.unreadable-${this.runId}-${n}`
    }
    renameSync(path, aside)
    log(`milo-bench: ${path} could not be read (${capText(problem, 200)}); moved it to ${aside} and started a new leaderboard`)
    return undefined
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const log = (line = ''): void => {
      if (this.options.print !== false) {
        this.vitest.logger.log(redact(line, this.secrets))
      }
    }
    // A spec file whose worker died, or that failed to load, never reports some of its tests: record them as lost.
    for (const module of testModules) {
      const errors = module.errors()
      if (errors.length === 0) {
        continue
      }
      for (const test of module.children.allTests()) {
        const state = test.result().state
        if (!this.seen.has(test.id) && (state === 'pending' || state === 'failed')) {
          this.record(test, `the spec file failed: ${firstLine(errors[0]?.message ?? '') || 'unknown error'}`)
        }
      }
    }
    // The suites' content as the workers last saw it: in watch mode an edited prompt changes a suite's hash after this
    // process imported it, and every result of the rerun is scored against the new content. Only a test's own stamp
    // says which content that is; this process's stamps (a lost test's fallback) are of the content it loaded.
    const current = new Map(this.stamps)
    for (const [suite, hash] of this.workerHashes) {
      const known = current.get(suite)
      if (known) {
        current.set(suite, { ...known, hash })
      }
    }
    // In watch mode a row is scored against one version of its suite: results of the content before an edit (the
    // categories a rerun left alone) are left out, so the row is partial until they run again, never a mix of two
    // versions. A run or a merge of shards scores what it was given, as it was given.
    const groups = new Map<string, TestOutcome[]>()
    const stale = new Map<string, number>()
    for (const outcome of this.outcomes.values()) {
      const version = current.get(outcome.suite)?.hash
      if (this.vitest.config.watch && outcome.hash !== '' && version !== undefined && outcome.hash !== version) {
        stale.set(outcome.suite, (stale.get(outcome.suite) ?? 0) + 1)
        continue
      }
      const key = `${outcome.suite}\u0000${outcome.project}`
      groups.set(key, [...(groups.get(key) ?? []), outcome])
    }
    const fresh = new Map<string, ModelResult[]>()
    const ranSuites = new Map<string, string[]>([...this.ranProjects].map(project => [project, []]))
    for (const outcomes of groups.values()) {
      const first = outcomes[0]
      const suite = this.suites.find(s => s.id === first?.suite)
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
    const { board, notes } = mergeLeaderboard(this.readPrevious(boardPath, log), fresh, this.suites, current, new Date().toISOString(), this.harness ?? { version: '', vitest: '' })
    // Each file whole or not at all: a kill during a rewrite leaves the previous one (src/models/atomic-write.ts).
    writeFileAtomic(boardPath, `${JSON.stringify(board, null, 2)}\n`)
    const markdown = Object.values(board.suites).map(renderSuite).join('\n\n')
    writeFileAtomic(join(dir, 'leaderboard.md'), `# milo-bench leaderboard\n\nUpdated ${board.updatedAt}.\n\n${markdown}\n`)
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
    // A model one shard skipped and another ran (a merge of shards on different machines) was not skipped.
    const ran = new Set([...this.outcomes.values()].filter(outcome => outcome.runId === this.runId).map(outcome => outcome.project))
    const skipped = new Map([...this.skippedProjects].filter(([project]) => !ran.has(project)))
    this.skippedProjects.clear()
    if (skipped.size > 0) {
      // Each was named in one line when its preflight failed; a run of many models ends with the list.
      const why = [...skipped].map(([project, line]) => `${project} (${line.replace(`${project}: skipped: `, '')})`)
      log(`milo-bench: ${skipped.size} model(s) skipped, nothing scored for them: ${why.join('; ')}`)
    }
    for (const [suite, count] of stale) {
      log(`milo-bench: ${suite}: ${String(count)} task result(s) of the suite before the last edit are left out until they run again (press a to rerun all)`)
    }
    if (this.vitest.config.watch) {
      return
    }
    const thisRun = [...this.outcomes.values()].filter(outcome => outcome.runId === this.runId)
    const runs = thisRun.flatMap(outcome => outcome.runs.map(run => ({ outcome, run })))
    const scoredRuns = runs.filter(({ outcome, run }) => scoreRun(run, outcome.maxScore, outcome.points) !== null).length
    const misses = runs.filter(({ run }) => run.error?.kind === 'cache_miss')
    const policy = gateFromSettings(this.options.gate, this.settings)
    // A shard holds part of every suite by design: its gate (and baseline check) runs on the merged report instead.
    const shard = this.vitest.config.shard
    // Gates judge what this run scored, never an earlier complete run the leaderboard keeps in its place.
    const scored = Object.fromEntries([...fresh].flatMap(([id, results]) => {
      const suiteBoard = board.suites[id]
      return suiteBoard ? [[id, { ...suiteBoard, models: results }]] : []
    }))
    const gate = shard ? { ok: true, failures: [], active: false } : evaluateGate(policy, scored, ranSuites, skipped)
    const baseline = shard ? { active: false, failures: [] } : baselineVerdict(this.settings, { ...board, suites: scored }, ranSuites, this.vitest.config.root)
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
    // What makes an exit untrue whatever the gate says: a run that could not be re-scored, runs the harness lost, and
    // a run that scored nothing at all (every project skipped, every run an infrastructure error, no benchmark test).
    const untrue: string[] = []
    if (misses.length > 0) {
      const [first] = misses
      untrue.push(`MILO_CACHE=strict: ${misses.length} run(s) had no recording; the first: ${first?.outcome.project} ${first?.outcome.suite}/${first?.outcome.category}/${first?.outcome.taskId} run ${(first?.run.repeat ?? 0) + 1}: ${first?.run.error?.message ?? ''}`)
    }
    if (this.lost.length > 0) {
      const [first] = this.lost
      untrue.push(`${this.lost.length} test(s) ended without a run record (recorded as infrastructure errors, not scored); the first: ${first?.where}: ${first?.reason}`)
    }
    if (scoredRuns === 0 && !shard) {
      const skip = thisRun.find(outcome => outcome.skipped !== undefined)?.skipped
      const because = skipped.size > 0 && skipped.size === this.ranProjects.size
        ? 'every selected model was skipped'
        : runs.length > 0
          ? `all ${runs.length} run(s) ended by infrastructure errors`
          : skip !== undefined ? `every test was skipped (${skip})` : 'no benchmark test ran'
      untrue.push(`nothing was scored: ${because}`)
    }
    for (const line of untrue) {
      log(`milo-bench: ${line}`)
    }
    if ((this.options.exitCode ?? 'scores') === 'vitest') {
      if (!verdict.ok || untrue.length > 0) {
        process.exitCode = 1
      }
      return
    }
    const brokenModules = testModules.some(module => module.errors().length > 0)
    if (reason === 'interrupted' || unhandledErrors.length > 0 || brokenModules || !verdict.ok || untrue.length > 0) {
      process.exitCode = 1
    }
    else {
      process.exitCode = 0
    }
  }
}

/** The run record of a test that ended without one: not scored, marked with why. */
function lostRun(repeat: number, error: RunMeta['error']): RunMeta {
  return { repeat, endReason: 'error', ...(error ? { error } : {}), calls: 0, toolCalls: 0, toolErrors: 0, textToolCalls: 0, latencyMs: 0, usage: { inputTokens: 0, outputTokens: 0 }, retries: 0, checks: [] }
}
