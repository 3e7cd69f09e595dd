// What one sandboxed run costs on this machine: a trivial program, and a coding task's hidden tests against its
// reference solution (run as a repository's own tests, then sealed as the rubric runs them), one after another, with
// the median and p95 wall time of each printed as JSON.
// `node src/run-ts.mjs test/perf/sandbox-probe.ts [runs]`

import type { Task } from '../../src/core/types.ts'
import { suites } from '../../fixtures/suites.ts'
import { runSandboxed, runTests } from '../../src/runtime/sandbox.ts'

const runs = Number(process.argv[3] ?? 30)
const quantile = (values: number[], q: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0

/** The files a task's reference solution leaves: its initial repository with every file the solution writes. */
function solvedRepository(task: Task): Record<string, string> {
  const files = { ...(task.env?.repo as { files?: Record<string, string> } | undefined)?.files }
  for (const turn of task.solution) {
    for (const call of 'calls' in turn ? turn.calls : []) {
      const args = call.arguments as { path?: string, content?: string }
      if (call.name === 'repo_write_file' && typeof args.path === 'string' && typeof args.content === 'string') {
        files[args.path] = args.content
      }
    }
  }
  return files
}

const task = suites.flatMap(suite => suite.categories).flatMap(category => category.tasks).find(t => t.id === 'roman-numerals')
if (!task) {
  throw new Error('no roman-numerals task to measure with')
}
const hidden = task.expect.hidden as Record<string, string>
const files = { ...solvedRepository(task), ...hidden }

async function time(what: () => Promise<unknown>): Promise<{ median: number, p95: number }> {
  await what() // warm the capability probe and the file cache
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await what()
    times.push(performance.now() - started)
  }
  return { median: Math.round(quantile(times, 0.5)), p95: Math.round(quantile(times, 0.95)) }
}

const trivial = await time(async () => {
  const result = await runSandboxed({ files: { 'main.mjs': 'console.log(1)' }, args: ['main.mjs'] })
  if (!result.ok) {
    throw new Error(`the trivial run failed: ${result.code} ${result.stderr}`)
  }
})
const testRun = (sealed: boolean) => time(async () => {
  const report = await runTests(files, Object.keys(hidden), { timeoutMs: 15_000, sealed })
  if (!report.passed) {
    throw new Error(`the reference solution failed its hidden tests: ${report.code} ${report.output}`)
  }
})
// The same tests run as a repository's own (the model's repo_run_tests) and as hidden tests (sealed, as the rubric runs them).
const visible = await testRun(false)
const sealed = await testRun(true)
console.log(JSON.stringify({ runs, trivialMs: trivial, ownTestsMs: visible, hiddenTestsMs: sealed }))
