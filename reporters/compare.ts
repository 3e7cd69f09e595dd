// Comparing two leaderboard.json files: per-suite and per-category deltas, the prompts that regressed, and the
// regression gate against a committed baseline (MILO_BASELINE, MILO_MAX_REGRESSION). `compareBoards` and
// `renderComparison` are pure; the edges (reading files, the environment, the command line) are at the bottom.
// `milo-bench compare before.json after.json` (src/cli.ts; `npm run compare -- ...` here) runs `main`.

import type { LeaderboardFile, ModelResult, SuiteBoard } from '../src/core/types.ts'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { scoringRules } from '../src/core/rules.ts'
import { rowKey } from '../src/core/rows.ts'
import { maxRegressionSetting } from '../src/node/settings.ts'
import { formatScore, table, unrankedLabel } from './tables.ts'

/** Default largest allowed drop of a suite score, as a fraction of the suite's maximum (0.02 = 2 points of 100). */
const defaultMaxRegression = 0.02

/** One model's suite score before and after. */
interface ModelDelta {
  project: string
  name: string
  before?: ModelResult
  after?: ModelResult
  /** (after - before) / max when both are there; null otherwise. */
  delta: number | null
  /** Both were scored against the same version (content hash) of the suite. */
  sameSuite: boolean
}

/** One category, for every model present on both sides. */
interface CategoryDelta {
  id: string
  title: string
  cells: { project: string, before?: number, after?: number }[]
}

/** A prompt whose score went down (or was no longer scored). */
interface TaskChange {
  project: string
  category: string
  taskId: string
  before: number
  after: number | null
}

interface SuiteComparison {
  id: string
  title: string
  aggregate: SuiteBoard['aggregate']
  max: number
  maxPerTask: number
  board: SuiteBoard
  models: ModelDelta[]
  categories: CategoryDelta[]
  regressions: TaskChange[]
  /** Prompts whose score went up. */
  improvements: number
}

export interface Comparison {
  beforeUpdatedAt: string
  afterUpdatedAt: string
  suites: SuiteComparison[]
  maxRegression: number
  /** One line per suite score that dropped by more than `maxRegression`, or that could not be compared fail-closed. */
  failures: string[]
  /** Pairs left out of the gate, and why. */
  notes: string[]
}

interface CompareOptions {
  /** Largest allowed drop of a suite score, as a fraction of its maximum. */
  maxRegression?: number
  /** Gate only these suites of these projects (a run's own); default: every model of `after`. */
  only?: ReadonlyMap<string, readonly string[]>
}

const epsilon = 1e-9
const pct = (fraction: number): string => `${(100 * fraction).toFixed(1)}%`
const signed = (value: number, digits = 2): string => `${value > epsilon ? '+' : value < -epsilon ? '−' : '±'}${Math.abs(value).toFixed(digits)}`

/**
 * How a model is matched across two boards: by its project where each board has one row of it (a model compared with
 * itself, or `custom` pointed at another model), by its row otherwise (several `custom` rows: src/core/rows.ts).
 */
function matchKey(older: SuiteBoard | undefined, newer: SuiteBoard | undefined): (model: ModelResult) => string {
  const rowsOf = (board: SuiteBoard | undefined, project: string): number => (board?.models ?? []).filter(model => model.project === project).length
  return model => (rowsOf(older, model.project) <= 1 && rowsOf(newer, model.project) <= 1 ? model.project : rowKey(model))
}

/** Compares two leaderboards suite by suite and model by model (matched as matchKey says). */
export function compareBoards(before: LeaderboardFile, after: LeaderboardFile, options: CompareOptions = {}): Comparison {
  const maxRegression = options.maxRegression ?? defaultMaxRegression
  const failures: string[] = []
  const notes: string[] = []
  const suites: SuiteComparison[] = []
  let compared = 0
  let candidates = 0
  const suiteIds = [...new Set([...Object.keys(after.suites), ...Object.keys(before.suites)])]
  for (const suiteId of suiteIds) {
    const newer = after.suites[suiteId]
    const older = before.suites[suiteId]
    const board = newer ?? older
    if (!board) {
      continue
    }
    const key = matchKey(older, newer)
    const projects = [...new Set([...(newer?.models ?? []).map(key), ...(older?.models ?? []).map(key)])]
    const models = projects.map((project): ModelDelta => {
      const a = older?.models.find(model => key(model) === project)
      const b = newer?.models.find(model => key(model) === project)
      const sameSuite = a !== undefined && b !== undefined && a.hash === b.hash
      return {
        project,
        name: (b ?? a)?.name ?? project,
        ...(a ? { before: a } : {}),
        ...(b ? { after: b } : {}),
        delta: a && b && board.max > 0 ? (b.score - a.score) / board.max : null,
        sameSuite,
      }
    })
    const both = models.filter(model => model.before && model.after)
    const categories = board.categories.map(category => ({
      id: category.id,
      title: category.title,
      cells: both.map(model => ({
        project: model.project,
        ...(model.before?.categories[category.id] === undefined ? {} : { before: model.before.categories[category.id] }),
        ...(model.after?.categories[category.id] === undefined ? {} : { after: model.after.categories[category.id] }),
      })),
    }))
    const regressions: TaskChange[] = []
    let improvements = 0
    for (const model of both.filter(m => m.sameSuite)) {
      for (const [taskId, was] of Object.entries(model.before?.tasks ?? {})) {
        const now = model.after?.tasks[taskId]
        if (was.score === null || !now) {
          continue
        }
        if (now.score === null || now.score < was.score - epsilon) {
          regressions.push({ project: model.project, category: was.category, taskId, before: was.score, after: now.score })
        }
        else if (now.score > was.score + epsilon) {
          improvements++
        }
      }
    }
    const order = (category: string): number => board.categories.findIndex(c => c.id === category)
    regressions.sort((x, y) => ((x.after ?? 0) - x.before) - ((y.after ?? 0) - y.before) || x.project.localeCompare(y.project)
      || order(x.category) - order(y.category) || x.taskId.localeCompare(y.taskId))
    suites.push({ id: suiteId, title: board.title, aggregate: board.aggregate, max: board.max, maxPerTask: board.maxPerTask, board, models, categories, regressions, improvements })

    // The gate: every model of `after` (or of the run), fail-closed where a score cannot be trusted.
    for (const model of models) {
      if (!model.after || (options.only && !options.only.get(model.after.project)?.includes(suiteId))) {
        continue
      }
      candidates++
      const where = `${model.project} ${suiteId}`
      if (!model.before) {
        notes.push(`${where}: not in the baseline; not compared`)
        continue
      }
      if (!model.sameSuite) {
        notes.push(`${where}: the suite changed since the baseline (hash ${model.before.hash}, now ${model.after.hash}); not compared: refresh the baseline`)
        continue
      }
      if (!model.before.complete) {
        notes.push(`${where}: the baseline's run is incomplete; not compared`)
        continue
      }
      if (!model.after.complete) {
        failures.push(`${where}: this run is incomplete; it cannot pass a comparison with the baseline`)
        continue
      }
      compared++
      const delta = model.delta ?? 0
      if (delta < -maxRegression - epsilon) {
        failures.push(`${where}: score ${pct(model.before.score / board.max)} -> ${pct(model.after.score / board.max)} (${signed(100 * delta, 1)} points of 100) regressed by more than ${pct(maxRegression)} of the maximum`)
      }
    }
  }
  if (candidates > 0 && compared === 0 && failures.length === 0) {
    failures.push('no suite score could be compared with the baseline (see the notes): nothing was checked')
  }
  return { beforeUpdatedAt: before.updatedAt, afterUpdatedAt: after.updatedAt, suites, maxRegression, failures, notes }
}

function scoreCell(board: SuiteBoard, model: ModelResult | undefined): string {
  if (!model) {
    return '–'
  }
  return `${formatScore(board, model)}${model.rank === null ? ` ${unrankedLabel(model)}` : ''}`
}

/** The comparison as Markdown tables (readable in a terminal and in a GitHub step summary). */
export function renderComparison(comparison: Comparison, labels: { before: string, after: string }): string {
  const lines: string[] = [
    `milo-bench compare`,
    `  before: ${labels.before} (updated ${comparison.beforeUpdatedAt})`,
    `  after:  ${labels.after} (updated ${comparison.afterUpdatedAt})`,
  ]
  for (const suite of comparison.suites) {
    lines.push('', `## ${suite.title} (${suite.id}), score out of ${suite.max}`, '')
    lines.push(table(['Model', 'Before', 'After', 'Change', 'Of max'], suite.models.map(model => [
      model.project,
      scoreCell(suite.board, model.before),
      scoreCell(suite.board, model.after),
      model.before && model.after ? `${signed(model.after.score - model.before.score, scoringRules[suite.aggregate].places)}${model.sameSuite ? '' : ' (suite changed)'}` : (model.after ? 'new' : 'gone'),
      model.delta === null ? '–' : `${signed(100 * model.delta, 1)}%`,
    ])))
    const withCells = suite.categories.filter(category => category.cells.length > 0)
    if (withCells.length > 0 && suite.models.some(model => model.before && model.after)) {
      const projects = withCells[0]?.cells.map(cell => cell.project) ?? []
      lines.push('', table(['Category', ...projects], withCells.map(category => [category.title, ...category.cells.map((cell) => {
        if (cell.before === undefined || cell.after === undefined) {
          return `${cell.before?.toFixed(2) ?? '–'} -> ${cell.after?.toFixed(2) ?? '–'}`
        }
        const change = cell.after - cell.before
        return `${cell.before.toFixed(2)} -> ${cell.after.toFixed(2)}${Math.abs(change) > epsilon ? ` (${signed(change)})` : ''}`
      })])))
    }
    lines.push('', suite.regressions.length === 0
      ? `Prompts that regressed: none${suite.improvements > 0 ? ` (${suite.improvements} improved)` : ''}`
      : `Prompts that regressed (${suite.regressions.length}${suite.improvements > 0 ? `; ${suite.improvements} improved` : ''}):`)
    for (const change of suite.regressions) {
      lines.push(`- ${change.project} ${change.category}/${change.taskId}: ${change.before.toFixed(2)} -> ${change.after === null ? 'not scored' : `${change.after.toFixed(2)} (${signed(change.after - change.before)})`}`)
    }
  }
  lines.push('', `Regression gate: a suite score may drop by at most ${pct(comparison.maxRegression)} of its maximum (MILO_MAX_REGRESSION): ${comparison.failures.length === 0 ? 'pass' : 'FAIL'}`)
  lines.push(...comparison.failures.map(line => `- FAIL ${line}`), ...comparison.notes.map(line => `- note: ${line}`))
  return lines.join('\n')
}

// ---------------------------------------------------------------------------------------------------
// The edges: files, environment, command line

/** MILO_MAX_REGRESSION as a fraction 0..1 of a suite's maximum; the default when unset. */
export function maxRegressionFromEnv(env: Record<string, string | undefined>): number {
  return maxRegressionSetting(env) ?? defaultMaxRegression
}

/** Reads a leaderboard.json, saying what to do when it is missing or not one. */
function readLeaderboard(path: string, what = 'leaderboard'): LeaderboardFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  }
  catch (error) {
    throw new Error(`${what} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give the path of a results/leaderboard.json`)
  }
  let file: Partial<LeaderboardFile>
  try {
    file = JSON.parse(text) as Partial<LeaderboardFile>
  }
  catch (error) {
    throw new Error(`${what} ${path} is not JSON (${(error as Error).message})`)
  }
  if (file.schema !== 1 || typeof file.suites !== 'object' || file.suites === null) {
    throw new Error(`${what} ${path} is not a milo-bench leaderboard.json (schema 1 with suites)`)
  }
  return file as LeaderboardFile
}

interface BaselineVerdict {
  /** MILO_BASELINE is set. */
  active: boolean
  failures: string[]
  comparison?: Comparison
  /** The comparison rendered, for the log and the step summary. */
  report?: string
}

/**
 * The run's regression gate: when MILO_BASELINE names a committed leaderboard.json, the suites this run scored
 * (`ran`: project -> suite ids) must not have dropped by more than MILO_MAX_REGRESSION (both as the run's settings
 * parsed them, src/node/settings.ts). A baseline that cannot be
 * read fails the run: a gate that was asked for never passes silently.
 */
export function baselineVerdict(settings: { baseline?: string, maxRegression?: number }, board: LeaderboardFile, ran: ReadonlyMap<string, readonly string[]>, root = process.cwd()): BaselineVerdict {
  const path = settings.baseline
  if (path === undefined || path === '') {
    return { active: false, failures: [] }
  }
  try {
    const baseline = readLeaderboard(resolve(root, path), 'MILO_BASELINE')
    const comparison = compareBoards(baseline, board, { maxRegression: settings.maxRegression ?? defaultMaxRegression, only: ran })
    return { active: true, failures: comparison.failures.map(line => `baseline ${line}`), comparison, report: renderComparison(comparison, { before: path, after: 'this run' }) }
  }
  catch (error) {
    return { active: true, failures: [(error as Error).message] }
  }
}

/**
 * The command: `compare [before.json] [after.json]`. `before` defaults to MILO_BASELINE, `after` to the results
 * folder's leaderboard.json. Prints the comparison; returns 1 when a suite score regressed by more than
 * MILO_MAX_REGRESSION (or nothing could be compared), 2 on a usage error, 0 otherwise.
 */
export function main(args: readonly string[], env: Record<string, string | undefined>, print: (line: string) => void = console.log): number {
  const files = args.filter(arg => !arg.startsWith('-'))
  if (args.includes('--help') || args.includes('-h') || files.length > 2) {
    print('usage: milo-bench compare [before.json] [after.json]   (npm run compare -- ... in the milo-bench repository)\n  before defaults to MILO_BASELINE, after to results/leaderboard.json (MILO_RESULTS_DIR);\n  exits 1 when a suite score dropped by more than MILO_MAX_REGRESSION (default 0.02 of its maximum)')
    return files.length > 2 ? 2 : 0
  }
  const results = resolve(env.MILO_RESULTS_DIR ?? 'results', 'leaderboard.json')
  const [beforePath, afterPath] = files.length === 2 ? files : files.length === 1 ? [env.MILO_BASELINE, files[0]] : [env.MILO_BASELINE, results]
  if (!beforePath || !afterPath) {
    print('milo-bench compare: give two leaderboard.json files (before after), or set MILO_BASELINE to the one to compare against')
    return 2
  }
  // `npm run` starts in the package's folder; paths typed by the user are relative to where they typed them.
  const here = env.INIT_CWD ?? process.cwd()
  try {
    const comparison = compareBoards(readLeaderboard(resolve(here, beforePath)), readLeaderboard(resolve(here, afterPath)), { maxRegression: maxRegressionFromEnv(env) })
    print(renderComparison(comparison, { before: beforePath, after: afterPath }))
    return comparison.failures.length === 0 ? 0 : 1
  }
  catch (error) {
    print(`milo-bench compare: ${(error as Error).message}`)
    return 2
  }
}
