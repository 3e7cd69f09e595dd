// The names the Vitest UI lists for benchmark tests (reporters/ui-scores.ts): a finished run with its score, anything
// else as Vitest named it, and a renamed copy of the file that leaves Vitest's own tasks as they were. The UI itself,
// in a browser, is read in test/watch.e2e.test.ts.

import type { RunnerTask, RunnerTestFile } from 'vitest'
import type { BenchTestMeta, RunMeta } from '../src/core/types.ts'
import { describe, expect, it } from 'vitest'
import type { TestCase, TestModule, Vitest } from 'vitest/node'
import UiScoresReporter, { listedBlockName, listedName, renamedCopy } from '../reporters/ui-scores.ts'

const run = (scores: number[], infrastructure = false): RunMeta => ({
  repeat: 0,
  endReason: 'final',
  ...(infrastructure ? { error: { kind: 'timeout', message: 'no answer', infrastructure: true } } : {}),
  calls: 1,
  toolCalls: 1,
  toolErrors: 0,
  textToolCalls: 0,
  latencyMs: 10,
  usage: { inputTokens: 1, outputTokens: 1 },
  retries: 0,
  checks: scores.map((score, i) => ({ name: `check ${i}`, pass: score === 1, score, points: 1, message: '' })),
})

const meta = (runs: RunMeta[], extra: Partial<BenchTestMeta> = {}): Partial<BenchTestMeta> => ({ suite: 'classic', category: 'single-tool', taskId: 'weather-paris', maxScore: 3, points: 2, runs, ...extra })

describe('the name a benchmark test is listed by', () => {
  it('is its name and its score once it has ended, passed or failed', () => {
    expect(listedName('run 2', meta([run([1, 1])]), 'pass')).toBe('run 2 · 3.00/3')
    expect(listedName('run 1', meta([run([1, 0.5])]), 'fail')).toBe('run 1 · 2.25/3')
    expect(listedName('weather-paris', meta([run([0, 0])]), 'fail')).toBe('weather-paris · 0.00/3')
  })

  it('says when a run was not scored: an infrastructure error, or no run at all', () => {
    expect(listedName('run 1', meta([run([1, 1], true)]), 'fail')).toBe('run 1 · not scored')
    expect(listedName('run 1', meta([]), 'fail')).toBe('run 1 · not scored')
  })

  it('says why a test was skipped, and leaves a test filtered out of this run as it was', () => {
    expect(listedName('run 1', meta([], { skipReason: 'prompt exceeds the context' }), 'skip')).toBe('run 1 · skipped (prompt exceeds the context)')
    expect(listedName('run 1', meta([]), 'skip')).toBe('run 1')
  })

  it('is the name alone while the test runs, and for tests that are not the benchmark\'s', () => {
    expect(listedName('run 1', meta([]), 'run')).toBe('run 1')
    expect(listedName('run 1', meta([]), undefined)).toBe('run 1')
    expect(listedName('my own test', {}, 'pass')).toBe('my own test')
  })
})

describe('the name a task\'s block of runs is listed by', () => {
  const ended = (scores: number[], state = 'pass', extra: Partial<BenchTestMeta> = {}) => ({ meta: meta([run(scores)], extra), state })

  it('is the task and the mean of its runs once every run has ended', () => {
    expect(listedBlockName('weather-paris', [ended([1, 1]), ended([1, 0], 'fail'), ended([1, 1])])).toBe('weather-paris · 2.50/3')
    // a run that was not scored is left out of the mean, as on the leaderboard
    expect(listedBlockName('weather-paris', [ended([1, 1]), { meta: meta([run([0, 0], true)]), state: 'fail' }])).toBe('weather-paris · 3.00/3')
  })

  it('keeps its name while a run is still to end, or when it is not one task\'s runs', () => {
    expect(listedBlockName('weather-paris', [ended([1, 1]), { meta: meta([]), state: 'run' }])).toBe('weather-paris')
    expect(listedBlockName('weather-paris', [ended([1, 1]), { meta: meta([]), state: 'skip' }])).toBe('weather-paris')
    expect(listedBlockName('Single tool', [ended([1, 1]), ended([1, 1])])).toBe('Single tool')
    expect(listedBlockName('weather-paris', [ended([1, 1]), ended([1, 1], 'pass', { taskId: 'time-in-mumbai' })])).toBe('weather-paris')
    expect(listedBlockName('my block', [{ meta: {}, state: 'pass' }])).toBe('my block')
    expect(listedBlockName('empty', [])).toBe('empty')
  })
})

describe('the renamed copy of a test file', () => {
  const tree = (): RunnerTestFile => {
    const file = { id: 'f', type: 'suite', name: 'single-tool.spec.ts', mode: 'run', tasks: [], meta: {}, filepath: '/x/single-tool.spec.ts', projectName: 'oracle' } as unknown as RunnerTestFile
    file.file = file
    const category = { id: 'f_0', type: 'suite', name: 'Single tool', mode: 'run', tasks: [], meta: {}, file, suite: file } as unknown as RunnerTask & { tasks: RunnerTask[] }
    const result = { state: 'pass' }
    const tests = ['run 1', 'run 2'].map((name, i) => ({ id: `f_0_${i}`, type: 'test', name, mode: 'run', meta: {}, file, suite: category, result, annotations: [], artifacts: [] }) as unknown as RunnerTask)
    category.tasks.push(...tests)
    file.tasks.push(category)
    return file
  }

  it('renames what is below the file, in the copy only, keeping its shape and sharing results', () => {
    const file = tree()
    const copy = renamedCopy(file, task => (task.type === 'test' ? `${task.name} · 3.00/3` : `${task.name}!`))
    const category = copy.tasks[0] as RunnerTask & { tasks: RunnerTask[] }
    expect(category.tasks.map(task => task.name)).toEqual(['run 1 · 3.00/3', 'run 2 · 3.00/3'])
    expect(category.name).toBe('Single tool!')
    expect((file.tasks[0] as typeof category).tasks.map(task => task.name)).toEqual(['run 1', 'run 2'])
    // the copy's own parents and file, not the originals
    expect(copy).not.toBe(file)
    expect(copy.file).toBe(copy)
    expect(category.file).toBe(copy)
    expect(category.suite).toBe(copy)
    expect(category.tasks.every(task => task.file === copy && task.suite === category)).toBe(true)
    expect(category.tasks[0]?.result).toBe((file.tasks[0] as typeof category).tasks[0]?.result)
    expect([copy.name, (file.tasks[0] as typeof category).name, copy.id, category.tasks[1]?.id]).toEqual(['single-tool.spec.ts', 'Single tool', 'f', 'f_0_1'])
  })
})

describe('the reporter', () => {
  /** A Vitest with its WebSocket reporter (as the UI's server has it) and one connected client that records what it gets. */
  function vitestWithClient(ui: boolean): { vitest: Vitest, received: RunnerTestFile[][] } {
    const received: RunnerTestFile[][] = []
    class WebSocketReporter {
      wss = { on: () => {} }
      clients = new Map([[{}, { onCollected: (files: RunnerTestFile[]) => { received.push(files); return Promise.resolve() } }]])
    }
    return { vitest: { config: { ui }, reporters: [new WebSocketReporter()] } as unknown as Vitest, received }
  }
  const file = (): RunnerTestFile => {
    const root = { id: 'f', type: 'suite', name: 'single-tool.spec.ts', mode: 'run', tasks: [], meta: {} } as unknown as RunnerTestFile
    root.file = root
    const test = { id: 'f_0', type: 'test', name: 'weather-paris', mode: 'run', meta: meta([run([1, 1])]), file: root, suite: root, result: { state: 'pass' } } as unknown as RunnerTask
    root.tasks.push(test)
    return root
  }
  const finished = (task: RunnerTestFile): { testCase: TestCase, module: TestModule } => {
    const module = { id: 'f', task } as unknown as TestModule
    return { testCase: { meta: () => task.tasks[0]?.meta, module } as unknown as TestCase, module }
  }

  /** A reporter that saw one benchmark test end and then its file; what the client has received by then. */
  function afterOneTest(ui: boolean): { reporter: UiScoresReporter, received: RunnerTestFile[][] } {
    const { vitest, received } = vitestWithClient(ui)
    const reporter = new UiScoresReporter()
    reporter.onInit(vitest)
    const { testCase, module } = finished(file())
    reporter.onTestCaseResult(testCase)
    reporter.onTestModuleEnd(module)
    return { reporter, received }
  }

  it('sends the UI the file of a test that ended, renamed, when the file ends', () => {
    const { reporter, received } = afterOneTest(true)
    expect(received.map(files => files.map(f => f.tasks.map(task => task.name)))).toEqual([[['weather-paris · 3.00/3']]])
    reporter.onTestRunEnd()
    expect(received).toHaveLength(1)
  })

  it('sends nothing without the UI, even to a client of the API', () => {
    const { reporter, received } = afterOneTest(false)
    reporter.onTestRunEnd()
    expect(received).toEqual([])
  })
})
