// The test run's global setup: it serves the benchmark runs that several test files share (read with sharedRun() in
// shared-runs.ts), each started by the first file that asks for it and handed to every file that asks after, so two
// files that need the same whole-benchmark run never pay for it twice. The runs are the ordinary child `vitest run`s
// of run-bench.ts; their results folders are removed when the test run ends.

import type { AddressInfo } from 'node:net'
import type { TestProject } from 'vitest/node'
import type { BenchRun } from './run-bench.ts'
import { rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { runBench } from './run-bench.ts'

/** The runs that are shared, by name. */
export const sharedRuns = {
  /** The oracle and the baseline on every suite, as `vitest run --project oracle --project baseline`. */
  reference: () => runBench(['--project', 'oracle', '--project', 'baseline']),
} satisfies Record<string, () => Promise<BenchRun>>

/** A finished run as it travels to a test file (the leaderboard is read there, from the results folder). */
export type FinishedRun = Omit<BenchRun, 'leaderboard'>

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = new Map<string, Promise<FinishedRun>>()
  const server = createServer((request, response) => {
    const name = decodeURIComponent(request.url?.replace(/^\/runs\//, '') ?? '')
    if (!Object.hasOwn(sharedRuns, name)) {
      response.writeHead(404).end(`no shared run '${name}'; known: ${Object.keys(sharedRuns).join(', ')}`)
      return
    }
    let run = started.get(name)
    if (!run) {
      run = sharedRuns[name as keyof typeof sharedRuns]().then(({ leaderboard: _leaderboard, ...finished }) => finished)
      started.set(name, run)
    }
    run.then(
      finished => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(finished)),
      (error: unknown) => response.writeHead(500).end(String(error)),
    )
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  project.provide('sharedRunsURL', `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`)
  return async () => {
    server.closeAllConnections()
    await new Promise<void>(resolve => server.close(() => resolve()))
    for (const run of started.values()) {
      const finished = await run.catch(() => undefined)
      if (finished) {
        rmSync(finished.resultsDir, { recursive: true, force: true })
      }
    }
  }
}
