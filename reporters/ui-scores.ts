// Each run's score in the Vitest UI's test list (main process). The list shows a test by the name it had when its file
// was collected, and a task update carries only a test's result and meta, so a score known when a test ends cannot
// reach the list by those paths. This reporter sends the UI's clients the test file again, as Vitest does once it is
// collected, with every finished benchmark test named with its outcome (`run 2 · 2.50/3`) and each task whose runs have
// all ended with their mean (`weather-paris · 2.83/3`), and a UI that opens or reloads is answered with the files so
// renamed. Only the copies sent to the UI are renamed: Vitest's own tasks, and so every other reporter, the JUnit file
// and reruns, keep the names as written.
//
// The UI's clients are those of Vitest's WebSocket reporter (Vitest 4.1.12 internals, as pinned; test/watch.e2e.test.ts
// reads the list in a browser). Without the UI (`--api` alone included), or with no page open, it does nothing.

import type { RunnerTask, RunnerTestFile, RunnerTestSuite } from 'vitest'
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node'
import type { BenchTestMeta } from '../src/core/types.ts'
import { outcomeOf } from './progress-reporter.ts'

/** Marks a client whose `getFiles` answers renamed files already. */
const renamed: unique symbol = Symbol.for('milo-bench.ui-scores.renamed')

/** What this reporter uses of a UI client's connection: the message Vitest sends when a file has been collected, and
 * the functions the client calls on the server (its `getFiles` when it opens or reloads). */
interface UiClient {
  onCollected?: (files: RunnerTestFile[]) => Promise<void> | undefined
  $functions?: { getFiles?: () => RunnerTestFile[], [renamed]?: true }
}

/** The part of Vitest's WebSocket reporter this reporter uses: the server the UI connects to and its clients. */
interface UiApi {
  wss?: { on: (event: 'connection', listener: (socket: unknown) => void) => void }
  clients?: Map<unknown, UiClient>
}

/**
 * Vitest's WebSocket reporter, when the UI runs (not for `--api` alone: another client of the API may find tests by
 * their names).
 */
function uiApi(vitest: Vitest): UiApi | undefined {
  if (!vitest.config.ui) {
    return undefined
  }
  const { reporters } = vitest as unknown as { reporters: Reporter[] }
  const api = reporters.find(reporter => reporter.constructor.name === 'WebSocketReporter') as UiApi | undefined
  return api?.clients instanceof Map ? api : undefined
}

/** A benchmark test's name in the UI: its name and, once it has a run or was skipped for a reason, its outcome. */
export function listedName(name: string, meta: Partial<BenchTestMeta>, state: string | undefined): string {
  const ended = state === 'pass' || state === 'fail'
  if (meta.suite === undefined || (!ended && !(state === 'skip' && meta.skipReason !== undefined))) {
    return name // not a benchmark test, not ended, or filtered out of this run (its earlier score is not this one)
  }
  return `${name} · ${outcomeOf(meta, state === 'skip')}`
}

/**
 * A task's block of runs in the UI: its name and, once every run in it has ended, their mean score (runs not scored
 * left out). Any other block (a category, a user's own describe) keeps its name.
 */
export function listedBlockName(name: string, runs: readonly { meta: Partial<BenchTestMeta>, state: string | undefined }[]): string {
  const first = runs[0]?.meta
  const ownRuns = first !== undefined && first.suite !== undefined && first.taskId === name
    && runs.every(run => run.meta.suite === first.suite && run.meta.taskId === name)
  if (!ownRuns || !runs.every(run => run.state === 'pass' || run.state === 'fail')) {
    return name
  }
  return `${name} · ${outcomeOf({ ...first, runs: runs.flatMap(run => run.meta.runs ?? []) }, false)}`
}

/**
 * A copy of a test file's task tree in which every test and block below the file is named by `rename`; the tasks
 * themselves are untouched (the copy shares their results, annotations and artifacts).
 */
export function renamedCopy(file: RunnerTestFile, rename: (task: RunnerTask) => string): RunnerTestFile {
  const copy = (task: RunnerTask, fileCopy: RunnerTestFile | undefined, parent: RunnerTestSuite | undefined): RunnerTask => {
    const clone = { ...task } as RunnerTask & { file: RunnerTestFile, suite?: RunnerTestSuite, tasks?: RunnerTask[] }
    const self = fileCopy ?? (clone as RunnerTestFile)
    clone.file = self
    if (parent !== undefined) {
      clone.suite = parent
      clone.name = rename(task)
    }
    if (task.type === 'suite') {
      clone.tasks = task.tasks.map(child => copy(child, self, clone as RunnerTestSuite))
    }
    return clone
  }
  return copy(file, undefined, undefined) as RunnerTestFile
}

/** The name the UI lists a task by: a benchmark test with its outcome, a task's block with its runs' mean. */
function listed(task: RunnerTask): string {
  if (task.type === 'test') {
    return listedName(task.name, task.meta as Partial<BenchTestMeta>, task.result?.state)
  }
  const runs = task.tasks.filter(child => child.type === 'test').map(child => ({ meta: child.meta as Partial<BenchTestMeta>, state: child.result?.state }))
  return runs.length === task.tasks.length ? listedBlockName(task.name, runs) : task.name
}

export default class UiScoresReporter implements Reporter {
  private vitest!: Vitest
  /** Test files with a test ended since they were last sent. */
  private readonly due = new Map<string, TestModule>()
  private timer: NodeJS.Timeout | undefined
  /** How long to wait before sending again: a second, or more when sending takes long (at most a twentieth of the time). */
  private delayMs = 1000
  private listening = false

  onInit(vitest: Vitest): void {
    this.vitest = vitest
    this.listen()
  }

  onTestRunStart(): void {
    this.listen() // the UI's server may have started after onInit
  }

  private listen(): void {
    const api = uiApi(this.vitest)
    if (api?.wss === undefined || this.listening) {
      return
    }
    this.listening = true
    // A UI that opens (or reloads) asks for every file (`getFiles`) as soon as it connects: that client's answer is
    // the files as they stand, renamed. Vitest registers a client right after announcing its connection, before any
    // of its messages can arrive; only that client's function is replaced.
    api.wss.on('connection', socket => queueMicrotask(() => {
      const functions = api.clients?.get(socket)?.$functions
      const getFiles = functions?.getFiles
      // Once per client, should a restarted Vitest (a config edit) bring a second reporter to the same server.
      if (functions && getFiles && !(renamed in functions)) {
        Object.defineProperty(functions, renamed, { value: true })
        functions.getFiles = () => getFiles().map(file => renamedCopy(file, listed))
      }
    }))
  }

  onTestCaseResult(testCase: TestCase): void {
    if ((testCase.meta() as Partial<BenchTestMeta>).suite === undefined || !uiApi(this.vitest)?.clients?.size) {
      return
    }
    this.due.set(testCase.module.id, testCase.module)
    // Concurrent tests end in bursts: a running file is sent again at most once a delay, and when it ends.
    this.timer ??= setTimeout(() => this.sendDue(), this.delayMs)
  }

  onTestModuleEnd(testModule: TestModule): void {
    if (this.due.has(testModule.id)) {
      this.sendDue()
    }
  }

  onTestRunEnd(): void {
    this.sendDue()
  }

  private sendDue(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const modules = [...this.due.values()]
    this.due.clear()
    const clients = [...(uiApi(this.vitest)?.clients?.values() ?? [])]
    if (clients.length === 0 || modules.length === 0) {
      return
    }
    const started = performance.now()
    const files = modules.map(module => renamedCopy((module as unknown as { task: RunnerTestFile }).task, listed))
    for (const client of clients) {
      // A client that went away mid-send is the UI's business, not the run's.
      client.onCollected?.(files)?.catch(() => {})
    }
    this.delayMs = Math.max(1000, 20 * (performance.now() - started))
  }
}
