// Progress for long runs (main process). On a terminal it is one line redrawn in place: a bar, done/total and an ETA
// from the rate observed so far, with the last run finished. Where stdout is not a terminal (CI logs), or another
// reporter draws a live summary at the bottom of the terminal (Vitest's default one), it prints lines instead: after
// each benchmark test a line names the model, suite, category, prompt and run with its score, and counts done/total.
// MILO_PROGRESS=1 forces progress on (lines in CI), MILO_PROGRESS=N prints every Nth line, MILO_PROGRESS=bar or
// MILO_PROGRESS=lines picks the form, MILO_PROGRESS=0 turns it off.

import type { Reporter, TestCase, TestModule, TestSpecification, Vitest } from 'vitest/node'
import type { ProgressSetting, Settings } from '../src/protocol.ts'
import type { BenchTestMeta } from '../src/core/types.ts'
import { scoreRun } from '../src/core/scoring.ts'
import { progressSetting } from '../src/node/settings.ts'

export interface ProgressReporterOptions {
  /** Print every Nth finished test as a line; 0 turns progress off. Default: MILO_PROGRESS, else 1 on a terminal and 0 otherwise. */
  every?: number
  /** `bar` or `lines`; default: the bar on a terminal nothing else draws on, lines otherwise. */
  form?: 'bar' | 'lines'
  /** Milliseconds since some fixed point, for the ETA; default performance.now. */
  now?: () => number
}

/** What progress looks like: nothing, a line every Nth finished test, or one bar redrawn in place. */
type ProgressMode = { kind: 'off' } | { kind: 'lines', every: number } | { kind: 'bar' }

/**
 * The form of progress from MILO_PROGRESS, whether stdout is a terminal, and whether another reporter draws a live
 * window at the bottom of it (a bar redrawn with \r under that window would be torn apart by it).
 */
export function progressMode(setting: ProgressSetting | undefined, isTTY: boolean, liveWindow: boolean): ProgressMode {
  const ownTerminal = isTTY && !liveWindow
  if (setting === 'bar') {
    return { kind: 'bar' }
  }
  if (setting === 'lines') {
    return { kind: 'lines', every: 1 }
  }
  const every = progressEvery(setting, isTTY)
  if (every === 0) {
    return { kind: 'off' }
  }
  return ownTerminal ? { kind: 'bar' } : { kind: 'lines', every }
}

/** A benchmark test's outcome in a few characters: "2.50/3", "not scored" or "skipped (why)". */
export function outcomeOf(meta: Partial<BenchTestMeta>, skipped: boolean): string {
  if (skipped) {
    return `skipped${meta.skipReason ? ` (${meta.skipReason})` : ''}`
  }
  const scores = (meta.runs ?? []).map(run => scoreRun(run, meta.maxScore ?? 1, meta.points ?? 1))
  const scored = scores.filter((score): score is number => score !== null)
  return scored.length === 0
    ? 'not scored'
    : `${(scored.reduce((a, b) => a + b, 0) / scored.length).toFixed(2)}/${meta.maxScore ?? 1}`
}

/** "45s", "3m 05s", "1h 02m". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  if (seconds < 60) {
    return `${seconds}s`
  }
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) {
    return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`
  }
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`
}

/**
 * The bar's one line, pure: `milo-bench [██████░░░░░░░░░░░░░░] 31/104 30% · 2.4/s · ETA 30s · <last run>`, cut to
 * `columns - 1` characters so the terminal never wraps it (a wrapped line cannot be redrawn in place). The ETA is
 * the runs left at the rate seen so far: unknown (–) before the first run ends, at least (≥) while spec files are still
 * being collected and the total may grow.
 */
export function progressBar(all: Count, elapsedMs: number, columns: number, last = ''): string {
  const width = 20
  const share = all.total === 0 ? 0 : Math.min(1, all.done / all.total)
  const filled = Math.round(share * width)
  const rate = elapsedMs > 0 ? all.done / (elapsedMs / 1000) : 0
  // while spec files are still being collected the total can only grow: the ETA is then a floor
  const eta = all.done === 0 || rate === 0 ? '–' : `${all.more ? '≥' : ''}${formatDuration((all.total - all.done) / rate * 1000)}`
  const line = `milo-bench [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${fraction(all)} ${Math.floor(share * 100)}% · ${rate.toFixed(1)}/s · ETA ${eta}${last ? ` · ${last}` : ''}`
  const room = Math.max(20, columns - 1)
  return line.length > room ? `${line.slice(0, room - 1)}…` : line
}

/** How often to print, from MILO_PROGRESS (as src/node/settings.ts parsed it) and whether stdout is a terminal: 0 is never, N every Nth test. */
export function progressEvery(setting: ProgressSetting | undefined, isTTY: boolean): number {
  if (setting === undefined) {
    return isTTY ? 1 : 0
  }
  return typeof setting === 'number' ? setting : 1
}

/** The counts a line shows; `more` is true while spec files of the project are still being collected. */
export interface Count {
  done: number
  total: number
  more: boolean
}

const fraction = (count: Count): string => `${count.done}/${count.total}${count.more ? '+' : ''}`

/** One progress line, pure. */
export function progressLine(where: { project: string, suite: string, category: string, taskId: string }, outcome: string, project: Count, all: Count): string {
  const left = all.total - all.done
  return `milo-bench ▸ ${where.project} ${fraction(project)} · all ${fraction(all)}${all.more ? '' : ` (${left} left)`} · ${where.suite} › ${where.category} › ${where.taskId}: ${outcome}`
}

export default class ProgressReporter implements Reporter {
  private vitest!: Vitest
  private mode: ProgressMode = { kind: 'off' }
  private startedAt = 0
  private drawnAt = Number.NEGATIVE_INFINITY
  /** A bar is on screen without its line ending: end it before anything else prints. */
  private open = false
  private readonly options: ProgressReporterOptions
  private total = new Map<string, number>()
  private done = new Map<string, number>()
  /** Spec files not collected yet, per project: totals grow until this reaches 0. */
  private pending = new Map<string, number>()
  private finished = 0

  constructor(options: ProgressReporterOptions = {}) {
    this.options = options
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  private get now(): () => number {
    return this.options.now ?? (() => performance.now())
  }

  /** Whether another reporter keeps a live window at the bottom of the terminal (Vitest's default and dot reporters on a TTY). */
  private liveWindow(): boolean {
    // Vitest keeps its reporter instances on `reporters`, which its types do not show.
    const reporters = (this.vitest as unknown as { reporters?: unknown[] }).reporters ?? []
    return reporters.some(reporter => reporter !== this && typeof reporter === 'object' && reporter !== null
      && (Boolean((reporter as { summary?: unknown }).summary) || Boolean((reporter as { renderer?: unknown }).renderer)))
  }

  private write(text: string): void {
    this.vitest.logger.outputStream.write(text)
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    const isTTY = process.stdout.isTTY === true
    const live = this.liveWindow()
    if (this.options.every === undefined && this.options.form === undefined) {
      // MILO_PROGRESS as the config parsed it (src/node/settings.ts); parsed here only under a config that provides no settings.
      const settings = (this.vitest.getProvidedContext() as { settings?: Settings }).settings
      this.mode = progressMode(settings ? settings.progress : progressSetting(process.env), isTTY, live)
    }
    else {
      const every = this.options.every ?? 1
      const form = this.options.form ?? (isTTY && !live ? 'bar' : 'lines')
      this.mode = every === 0 ? { kind: 'off' } : form === 'bar' ? { kind: 'bar' } : { kind: 'lines', every }
    }
    this.startedAt = this.now()
    this.drawnAt = Number.NEGATIVE_INFINITY
    this.open = false
    this.total = new Map()
    this.done = new Map()
    this.pending = new Map()
    this.finished = 0
    for (const specification of specifications) {
      const project = specification.project.name
      this.pending.set(project, (this.pending.get(project) ?? 0) + 1)
    }
  }

  onTestModuleCollected(testModule: TestModule): void {
    const project = testModule.project.name
    const tests = [...testModule.children.allTests()].filter(test => (test.meta() as Partial<BenchTestMeta>).taskId !== undefined)
    this.total.set(project, (this.total.get(project) ?? 0) + tests.length)
    this.pending.set(project, Math.max(0, (this.pending.get(project) ?? 1) - 1))
  }

  onTestCaseResult(testCase: TestCase): void {
    const meta = testCase.meta() as Partial<BenchTestMeta>
    if (this.mode.kind === 'off' || meta.suite === undefined || meta.taskId === undefined) {
      return
    }
    const project = testCase.project.name
    this.done.set(project, (this.done.get(project) ?? 0) + 1)
    this.finished++
    const all: Count = {
      done: this.finished,
      total: [...this.total.values()].reduce((a, b) => a + b, 0),
      more: [...this.pending.values()].some(n => n > 0),
    }
    const last = all.done >= all.total && !all.more
    if (this.mode.kind === 'bar') {
      // at most ten redraws a second, and always the last one
      const now = this.now()
      if (now - this.drawnAt < 100 && !last) {
        return
      }
      this.drawnAt = now
    }
    else if (this.finished % this.mode.every !== 0 && all.done < all.total) {
      return
    }
    const outcome = outcomeOf(meta, testCase.result().state === 'skipped')
    // A task with several runs is a describe block (the task id) of one test per run, inside the category's block.
    const several = testCase.name !== meta.taskId
    const block = several && testCase.parent.type === 'suite' ? testCase.parent.parent : testCase.parent
    const category = block.type === 'suite' ? block.name : (meta.category ?? '')
    const taskId = several ? `${meta.taskId} ${testCase.name}` : meta.taskId
    if (this.mode.kind === 'bar') {
      const columns = this.vitest.logger.getColumns() || 100
      this.write(`\r\x1B[2K${progressBar(all, this.now() - this.startedAt, columns, `${project} ${meta.suite} › ${category} › ${taskId}: ${outcome}`)}${last ? '\n' : ''}`)
      this.open = !last
      return
    }
    const mine: Count = { done: this.done.get(project) ?? 0, total: this.total.get(project) ?? 0, more: (this.pending.get(project) ?? 0) > 0 }
    this.vitest.logger.log(progressLine({ project, suite: meta.suite, category, taskId }, outcome, mine, all))
  }

  onTestRunEnd(): void {
    // an interrupted run, or one whose last test was not a benchmark test: end the bar's line
    if (this.open) {
      this.write('\n')
      this.open = false
    }
  }
}
