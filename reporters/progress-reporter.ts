// Progress for long runs (main process): after each benchmark test (one run of a prompt under one model) a line names
// the model, suite, category, prompt and run with its score, and counts done/total for the model and for the run.
// On when stdout is a terminal; MILO_PROGRESS=1 forces it on (CI logs), MILO_PROGRESS=N prints every Nth test,
// MILO_PROGRESS=0 turns it off.

import type { Reporter, TestCase, TestModule, TestSpecification, Vitest } from 'vitest/node'
import type { Settings } from '../src/settings.ts'
import type { BenchTestMeta } from '../src/types.ts'
import { scoreRun } from '../src/scoring.ts'

export interface ProgressReporterOptions {
  /** Print every Nth finished test; 0 turns progress off. Default: MILO_PROGRESS, else 1 on a terminal and 0 otherwise. */
  every?: number
}

/** How often to print, from MILO_PROGRESS and whether stdout is a terminal: 0 is never, N every Nth test. */
export function progressEvery(env: Record<string, string | undefined>, isTTY: boolean): number {
  const raw = env.MILO_PROGRESS
  if (raw === undefined || raw === '') {
    return isTTY ? 1 : 0
  }
  if (raw === 'off' || raw === 'false') {
    return 0
  }
  if (raw === 'on' || raw === 'true') {
    return 1
  }
  const value = Number(raw)
  return Number.isInteger(value) && value >= 0 ? value : 1
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
  private every = 0
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
    // MILO_PROGRESS as the config parsed it (src/settings.ts); read here only under a config that provides no settings.
    const settings = (vitest.getProvidedContext() as { settings?: Settings }).settings
    const isTTY = process.stdout.isTTY === true
    this.every = this.options.every ?? (settings ? settings.progress ?? (isTTY ? 1 : 0) : progressEvery(process.env, isTTY))
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
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
    if (this.every === 0 || meta.suite === undefined || meta.taskId === undefined) {
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
    if (this.finished % this.every !== 0 && all.done < all.total) {
      return
    }
    const result = testCase.result()
    let outcome: string
    if (result.state === 'skipped') {
      outcome = `skipped${meta.skipReason ? ` (${meta.skipReason})` : ''}`
    }
    else {
      const scores = (meta.runs ?? []).map(run => scoreRun(run, meta.maxScore ?? 1, meta.points ?? 1))
      const scored = scores.filter((score): score is number => score !== null)
      outcome = scored.length === 0
        ? 'not scored'
        : `${(scored.reduce((a, b) => a + b, 0) / scored.length).toFixed(2)}/${meta.maxScore ?? 1}`
    }
    // A task with several runs is a describe block (the task id) of one test per run, inside the category's block.
    const several = testCase.name !== meta.taskId
    const block = several && testCase.parent.type === 'suite' ? testCase.parent.parent : testCase.parent
    const category = block.type === 'suite' ? block.name : (meta.category ?? '')
    const taskId = several ? `${meta.taskId} ${testCase.name}` : meta.taskId
    const mine: Count = { done: this.done.get(project) ?? 0, total: this.total.get(project) ?? 0, more: (this.pending.get(project) ?? 0) > 0 }
    this.vitest.logger.log(progressLine({ project, suite: meta.suite, category, taskId }, outcome, mine, all))
  }
}
